// Answers a view: resolves its axes against the cube, reads every cell of
// the grid in one consolidation (or from the cache), suppresses empties.
#include <mutex>

#include "calc/grid_overlay.h"
#include "model/cube_impl.h"
#include "view/selection.h"

namespace quantatom {
namespace {

struct ResolvedAxis {
  std::vector<size_t> dims;                        // cube dimension indexes
  std::vector<std::vector<HeaderMember>> members;  // per axis dimension
  size_t tuples() const {
    size_t n = 1;  // saturates at SIZE_MAX, which no limit admits
    for (auto& m : members)
      if (m.empty()) return 0;
    for (auto& m : members) n = n > SIZE_MAX / m.size() ? SIZE_MAX : n * m.size();
    return n;
  }
  // Tuple t: the last axis dimension varies fastest.
  HeaderTuple Tuple(size_t t) const {
    HeaderTuple out(dims.size());
    for (size_t i = dims.size(); i-- > 0;) {
      out[i] = members[i][t % members[i].size()];
      t /= members[i].size();
    }
    return out;
  }
};

struct Resolved {
  ResolvedAxis rows, columns;
  Coordinate context;  // members for dimensions on no axis
};

Status Claim(const Cube::Impl& cube, std::string_view name, std::vector<bool>& used, size_t* index,
             const std::string& where) {
  std::string folded = FoldCase(name);
  for (size_t d = 0; d < cube.dims.size(); ++d) {
    if (FoldCase(cube.dims[d]->name()) != folded) continue;
    if (used[d])
      return Status::Invalid("view: dimension '" + cube.dims[d]->name() + "' is used twice (" +
                             where + ")");
    used[d] = true;
    *index = d;
    return Status::Ok();
  }
  return Status::NotFound("view: cube '" + cube.name + "' has no dimension '" + std::string(name) +
                          "' (" + where + ")");
}

// The view's visibility filter for one dimension (none when it has none).
std::function<bool(MemberId)> VisibleIn(const ViewSpec& view, size_t d) {
  if (!view.member_visible) return nullptr;
  return [&view, d](MemberId m) { return view.member_visible(d, m); };
}

Result<ResolvedAxis> ResolveAxis(const Cube::Impl& cube, const ViewSpec& view,
                                 const std::vector<AxisDimension>& axis, std::vector<bool>& used,
                                 const char* where) {
  ResolvedAxis out;
  for (const AxisDimension& a : axis) {
    size_t d = 0;
    QA_RETURN_IF_ERROR(Claim(cube, a.dimension, used, &d, where));
    QA_ASSIGN_OR_RETURN(auto members,
                        EvaluateSelection(*cube.dims[d], a.members, a.order, VisibleIn(view, d)));
    out.dims.push_back(d);
    out.members.push_back(std::move(members));
  }
  return out;
}

Result<Resolved> Resolve(const Cube::Impl& cube, const ViewSpec& view) {
  std::vector<bool> used(cube.dims.size(), false);
  Resolved r;
  QA_ASSIGN_OR_RETURN(r.rows, ResolveAxis(cube, view, view.rows, used, "rows"));
  QA_ASSIGN_OR_RETURN(r.columns, ResolveAxis(cube, view, view.columns, used, "columns"));
  r.context.assign(cube.dims.size(), 0);
  std::vector<bool> on_axis = used;
  for (const auto& [dim_name, member] : view.context) {
    size_t d = 0;
    QA_RETURN_IF_ERROR(Claim(cube, dim_name, used, &d, "context"));
    auto m = cube.dims[d]->Find(member);
    if (m && view.member_visible && !view.member_visible(d, *m)) m.reset();
    if (!m)
      return Status::NotFound("view: unknown member '" + member + "' of dimension '" +
                              cube.dims[d]->name() + "' (context)");
    r.context[d] = *m;
  }
  for (size_t d = 0; d < cube.dims.size(); ++d)
    if (!used[d]) r.context[d] = cube.dims[d]->roots()[0];  // default: the first root
  return r;
}

// Removes rows (or columns) whose every cell is empty.
void Suppress(Grid& grid, bool rows) {
  const size_t nr = grid.rows.size(), nc = grid.columns.size();
  std::vector<bool> keep(rows ? nr : nc, false);
  for (size_t r = 0; r < nr; ++r)
    for (size_t c = 0; c < nc; ++c)
      if (grid.values[r * nc + c]) keep[rows ? r : c] = true;
  std::vector<std::optional<double>> values;
  std::vector<HeaderTuple> kept;
  auto& headers = rows ? grid.rows : grid.columns;
  for (size_t i = 0; i < headers.size(); ++i)
    if (keep[i]) kept.push_back(std::move(headers[i]));
  for (size_t r = 0; r < nr; ++r)
    for (size_t c = 0; c < nc; ++c)
      if (keep[rows ? r : c]) values.push_back(grid.values[r * nc + c]);
  headers = std::move(kept);
  grid.values = std::move(values);
}

Result<Resolved> ResolveChecked(const Cube::Impl& cube, const ViewSpec& view) {
  if (FoldCase(view.cube) != FoldCase(cube.name))
    return Status::Invalid("view: names cube '" + view.cube + "', not '" + cube.name + "'");
  QA_ASSIGN_OR_RETURN(Resolved r, Resolve(cube, view));
  const size_t nr = r.rows.tuples(), nc = r.columns.tuples();
  if (nr != 0 && nc > cube.options.view_cells_max / nr)
    return Status::Limit("view: " + std::to_string(nr) + " x " + std::to_string(nc) +
                         " cells exceed the limit of " +
                         std::to_string(cube.options.view_cells_max));
  return r;
}

}  // namespace

Status CheckQuery(const Cube::Impl& cube, const ViewSpec& view) {
  return ResolveChecked(cube, view).status();
}

namespace {

// The axis as the overlay reads it: member ids only.
GridAxis AxisOf(const ResolvedAxis& a) {
  GridAxis out{a.dims, {}};
  for (const auto& members : a.members) {
    out.members.emplace_back();
    for (const HeaderMember& m : members) out.members.back().push_back(m.id);
  }
  return out;
}

}  // namespace

Result<Cube::GridDelta> OverlayDeltaOf(const Cube::Impl& cube, const ViewSpec& view,
                                       std::span<const SandboxCell> overlay) {
  QA_ASSIGN_OR_RETURN(Resolved r, ResolveChecked(cube, view));
  const size_t cells = r.rows.tuples() * r.columns.tuples();
  Cube::GridDelta delta{std::vector<double>(cells, 0), std::vector<int64_t>(cells, 0)};
  std::shared_lock lock(cube.mu);
  AddOverlay(cube, AxisOf(r.rows), AxisOf(r.columns), r.context, overlay, delta);
  return delta;
}

Result<Grid> RunQuery(const Cube::Impl& cube, const ViewSpec& view, const Cube::GridDelta* delta,
                      std::span<const SandboxCell> overlay) {
  QA_ASSIGN_OR_RETURN(Resolved r, ResolveChecked(cube, view));
  const size_t nr = r.rows.tuples(), nc = r.columns.tuples();
  Grid grid;
  grid.cube = cube.name;
  grid.context = r.context;
  for (size_t d : r.rows.dims) grid.row_dimensions.push_back(cube.dims[d]->name());
  for (size_t d : r.columns.dims) grid.column_dimensions.push_back(cube.dims[d]->name());
  for (size_t t = 0; t < nr; ++t) grid.rows.push_back(r.rows.Tuple(t));
  for (size_t t = 0; t < nc; ++t) grid.columns.push_back(r.columns.Tuple(t));
  std::vector<Coordinate> cells;
  cells.reserve(nr * nc);
  for (size_t i = 0; i < nr; ++i) {
    for (size_t j = 0; j < nc; ++j) {
      Coordinate c = r.context;
      for (size_t k = 0; k < r.rows.dims.size(); ++k) c[r.rows.dims[k]] = grid.rows[i][k].id;
      for (size_t k = 0; k < r.columns.dims.size(); ++k)
        c[r.columns.dims[k]] = grid.columns[j][k].id;
      cells.push_back(std::move(c));
    }
  }
  std::vector<CellAggregate> aggregates;
  Cube::GridDelta own;
  if (overlay.empty() && !delta) {
    QA_ASSIGN_OR_RETURN(aggregates, cube.ReadAggregates(cells));
  } else if (auto hook = cube.Rules(); hook && hook->HasConsolidatedRules()) {
    // A ratio is not adjusted by a sum: its cells are computed again from
    // the cells it reads, each read through the overlay.
    if (delta)
      return Status::Precondition("cube '" + cube.name +
                                  "' has consolidated rules: it is read with its overlay, not an "
                                  "adjustment");
    QA_ASSIGN_OR_RETURN(aggregates, hook->Read(cube, cells, overlay));
  } else {
    std::shared_lock lock(cube.mu);
    aggregates = cube.Aggregates(cells);
    // Under the same read as the aggregates: the overlay's stored values
    // and the sums they correct come from one state of the cube.
    if (!overlay.empty()) {
      own = Cube::GridDelta{std::vector<double>(cells.size(), 0),
                            std::vector<int64_t>(cells.size(), 0)};
      AddOverlay(cube, AxisOf(r.rows), AxisOf(r.columns), r.context, overlay, own);
      delta = &own;
    }
  }
  if (delta) {
    if (delta->sums.size() != aggregates.size() || delta->atoms.size() != aggregates.size())
      return Status::Invalid("view: the overlay's delta was made for another grid");
    for (size_t i = 0; i < aggregates.size(); ++i) {
      aggregates[i].sum += delta->sums[i];
      aggregates[i].atoms += static_cast<uint64_t>(delta->atoms[i]);  // wraps back for removals
    }
  }
  grid.values.reserve(cells.size());
  for (const CellAggregate& a : aggregates)
    grid.values.push_back(a.atoms ? std::optional<double>(a.sum) : std::nullopt);
  if (view.suppress_empty_rows) Suppress(grid, true);
  if (view.suppress_empty_columns) Suppress(grid, false);
  return grid;
}

}  // namespace quantatom
