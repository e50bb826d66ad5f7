#include "server/access_guard.h"

#include "rules/inspect.h"

namespace quantatom::server {

using security::Access;

std::shared_ptr<const security::CubeAccess> AccessOf(const ServerContext& ctx, const Principal& p,
                                                     const Cube& cube) {
  return ctx.auth.Policy()->ForCube(p.roles, p.admin, cube);
}

CubeAndAccess ReadableCubeOrThrow(const ServerContext& ctx, const Principal& p,
                                  const std::string& name) {
  auto cube = CubeOrThrow(ctx.db, name);
  auto access = AccessOf(ctx, p, *cube);
  if (!access->AnyReadable()) throw ApiError(404, "NOT_FOUND", "unknown cube '" + name + "'");
  return {std::move(cube), std::move(access)};
}

std::vector<CubeAndAccess> ReadableCubes(const ServerContext& ctx, const Principal& p) {
  std::vector<CubeAndAccess> out;
  auto policy = ctx.auth.Policy();
  for (const std::string& name : ctx.db.CubeNames()) {
    auto cube = ctx.db.FindCube(name);
    if (!cube) continue;
    auto access = policy->ForCube(p.roles, p.admin, *cube);
    if (access->AnyReadable()) out.push_back({std::move(cube), std::move(access)});
  }
  return out;
}

std::optional<std::vector<bool>> VisibleMembers(const ServerContext& ctx, const Principal& p,
                                                const Dimension& dim) {
  if (p.admin) return std::nullopt;
  std::vector<bool> visible;
  for (const CubeAndAccess& c : ReadableCubes(ctx, p)) {
    auto d = c.cube->DimensionIndex(dim.name());
    if (!d || c.cube->dimensions()[*d].get() != &dim) continue;
    visible.resize(dim.size(), false);
    for (MemberId m = 0; m < dim.size(); ++m)
      if (!dim.deleted(m) && c.access->MemberVisible(*d, m)) visible[m] = true;
  }
  return visible;
}

std::function<bool(size_t dimension, MemberId member)> MemberFilter(
    std::shared_ptr<const security::CubeAccess> access) {
  if (access->unrestricted()) return nullptr;
  return [access](size_t d, MemberId m) { return access->MemberVisible(d, m); };
}

Result<Coordinate> ResolveVisible(const Cube& cube, const security::CubeAccess& access,
                                  std::span<const std::string> names) {
  const auto& dims = cube.dimensions();
  if (names.size() != dims.size()) return cube.Resolve(names);  // its count error
  Coordinate c(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    auto m = dims[d]->Find(names[d]);
    if (!m || !access.MemberVisible(d, *m))
      return Status::NotFound("unknown member '" + names[d] + "' of dimension '" + dims[d]->name() +
                              "'");
    c[d] = *m;
  }
  return c;
}

namespace {

std::vector<HeaderTuple> Kept(std::vector<HeaderTuple> headers, const std::vector<bool>& keep) {
  std::vector<HeaderTuple> out;
  for (size_t i = 0; i < headers.size(); ++i)
    if (keep[i]) out.push_back(std::move(headers[i]));
  return out;
}

// A grid with an access character per cell beside its values.
struct AccessGrid {
  Grid grid;
  std::vector<char> access;  // row-major like grid.values

  // Keeps the rows and columns flagged in `rows` and `columns`.
  void Keep(const std::vector<bool>& rows, const std::vector<bool>& columns) {
    const size_t nc = grid.columns.size();
    std::vector<std::optional<double>> values;
    std::vector<char> chars;
    for (size_t r = 0; r < grid.rows.size(); ++r)
      for (size_t c = 0; c < nc; ++c)
        if (rows[r] && columns[c]) {
          values.push_back(grid.values[r * nc + c]);
          chars.push_back(access[r * nc + c]);
        }
    grid.rows = Kept(std::move(grid.rows), rows);
    grid.columns = Kept(std::move(grid.columns), columns);
    grid.values = std::move(values);
    access = std::move(chars);
  }

  // Whether each row (or column) holds a value.
  std::vector<bool> NonEmpty(bool rows) const {
    const size_t nc = grid.columns.size();
    std::vector<bool> out(rows ? grid.rows.size() : nc, false);
    for (size_t i = 0; i < grid.values.size(); ++i)
      if (grid.values[i]) out[rows ? i / nc : i % nc] = true;
    return out;
  }
};

// Cube dimension indices of an axis's dimensions.
std::vector<size_t> AxisDims(const Cube& cube, const std::vector<std::string>& names) {
  std::vector<size_t> out;
  for (const std::string& n : names) out.push_back(*cube.DimensionIndex(n));
  return out;
}

std::vector<bool> VisibleHeaders(const std::vector<HeaderTuple>& headers,
                                 const std::vector<size_t>& dims,
                                 const security::CubeAccess& access) {
  std::vector<bool> out;
  for (const HeaderTuple& h : headers) {
    bool visible = true;
    for (size_t k = 0; k < dims.size() && visible; ++k)
      visible = access.MemberVisible(dims[k], h[k].id);
    out.push_back(visible);
  }
  return out;
}

}  // namespace

namespace {

// Whether the principal may read every cell the rules read to compute `cell`.
bool RuleInputsReadable(const Cube& cube, const Coordinate& cell,
                        const security::CubeAccess& access, const AccessToCube& other_cubes) {
  for (const auto& [source, input] : rules::RuleInputs(cube, cell)) {
    if (!source) return false;
    if (source.get() == &cube) {
      if (access.Cell(input) == Access::kNone) return false;
    } else if (other_cubes && other_cubes(*source)->Cell(input) == Access::kNone) {
      return false;
    }
  }
  return true;
}

}  // namespace

RestrictedGrid RestrictGrid(Grid grid, const Cube& cube, const security::CubeAccess& access,
                            bool suppress_empty_rows, bool suppress_empty_columns,
                            const AccessToCube& other_cubes) {
  const auto row_dims = AxisDims(cube, grid.row_dimensions);
  const auto column_dims = AxisDims(cube, grid.column_dimensions);
  AccessGrid g{std::move(grid), {}};
  g.access.assign(g.grid.values.size(), 'W');
  g.Keep(VisibleHeaders(g.grid.rows, row_dims, access),
         VisibleHeaders(g.grid.columns, column_dims, access));

  bool context_leaf = true;
  std::vector<bool> on_axis(cube.dimensions().size(), false);
  for (size_t d : row_dims) on_axis[d] = true;
  for (size_t d : column_dims) on_axis[d] = true;
  for (size_t d = 0; d < on_axis.size(); ++d)
    if (!on_axis[d])
      context_leaf = context_leaf && cube.dimensions()[d]->is_leaf(g.grid.context[d]);

  Coordinate cell = g.grid.context;
  const size_t nc = g.grid.columns.size();
  for (size_t r = 0; r < g.grid.rows.size(); ++r) {
    bool row_leaf = context_leaf;
    for (size_t k = 0; k < row_dims.size(); ++k) {
      cell[row_dims[k]] = g.grid.rows[r][k].id;
      row_leaf = row_leaf && g.grid.rows[r][k].leaf;
    }
    for (size_t c = 0; c < nc; ++c) {
      bool leaf = row_leaf;
      for (size_t k = 0; k < column_dims.size(); ++k) {
        cell[column_dims[k]] = g.grid.columns[c][k].id;
        leaf = leaf && g.grid.columns[c][k].leaf;
      }
      Access a = access.Cell(cell);
      if (a != Access::kNone && rules::ComputedByRule(cube, cell)) {
        // Read-only, and readable only with what the rule reads for it.
        const bool inputs =
            access.unrestricted() || RuleInputsReadable(cube, cell, access, other_cubes);
        a = inputs ? Access::kRead : Access::kNone;
      }
      char& out = g.access[r * nc + c];
      out = a == Access::kNone ? 'N' : a == Access::kWrite && leaf ? 'W' : 'R';
      if (a == Access::kNone) g.grid.values[r * nc + c] = std::nullopt;
    }
  }
  if (suppress_empty_rows) g.Keep(g.NonEmpty(true), std::vector<bool>(nc, true));
  if (suppress_empty_columns)
    g.Keep(std::vector<bool>(g.grid.rows.size(), true), g.NonEmpty(false));

  RestrictedGrid out{std::move(g.grid), {}};
  const size_t columns = out.grid.columns.size();
  for (size_t r = 0; r < out.grid.rows.size(); ++r)
    out.access.emplace_back(g.access.begin() + r * columns, g.access.begin() + (r + 1) * columns);
  return out;
}

std::string RestrictedGridJson(Grid grid, const Cube& cube, const security::CubeAccess& access,
                               bool suppress_empty_rows, bool suppress_empty_columns,
                               const AccessToCube& other_cubes) {
  RestrictedGrid r = RestrictGrid(std::move(grid), cube, access, suppress_empty_rows,
                                  suppress_empty_columns, other_cubes);
  // GridToJson writes one object; the access strings join it as its last
  // member without parsing the (possibly large) grid back.
  std::string body = GridToJson(r.grid);
  body.pop_back();  // '}'
  return body + ",\"access\":" + json(r.access).dump() + "}";
}

void RequireWritable(const Cube& cube, const security::CubeAccess& access,
                     const WriteBatch& batch) {
  constexpr size_t kCellsNamedMax = 100;
  json cells = json::array();
  size_t refused = 0;
  for (const WriteBatch::Entry& e : batch.entries()) {
    if (access.Cell(e.coordinate) == Access::kWrite) continue;
    if (++refused <= kCellsNamedMax) cells.push_back(CellNames(cube, e.coordinate));
  }
  if (refused == 0) return;
  throw ApiError(403, "FORBIDDEN",
                 "no write access to " + std::to_string(refused) + " of the " +
                     std::to_string(batch.size()) + " cells; nothing was written",
                 {{"cells", cells}, {"cells_refused", refused}});
}

std::optional<json> VisibleTransactionJson(const ServerContext& ctx, const Principal& p,
                                           const Transaction& t) {
  // Holds and sandboxes are their user's own business, an admin's too.
  if (IsPrivateChange(t.kind)) return std::nullopt;
  auto value = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  const bool several = !t.other_cubes.empty();
  json deltas = json::array();
  size_t visible = 0;
  ForEachCubeDeltas(t, [&](const std::string& name, const AtomDeltas& d) {
    // Deltas of a deleted cube, or of an earlier cube of this name, are not shown.
    auto cube = ctx.db.FindCube(name);
    if (!cube || t.sequence < ctx.db.CubeCreatedSequence(name) ||
        (d.size() > 0 && d.dims() != cube->dimensions().size()))
      return;
    for (size_t i : security::ReadableDeltas(*AccessOf(ctx, p, *cube), d)) {
      if (visible++ >= ctx.limits.deltas_per_transaction_max) continue;
      json delta = {{"cell", CellNames(*cube, d.coordinate(i))},
                    {"old_value", value(d.old_value(i))},
                    {"new_value", value(d.new_value(i))}};
      if (several) delta["cube"] = cube->name();
      deltas.push_back(std::move(delta));
    }
  });
  // Model changes are shown to admins; others see only deltas they may read.
  if (!p.admin && visible == 0) return std::nullopt;
  json out = {{"sequence", t.sequence},
              {"time_us", t.time_us},
              {"user", t.user},
              {"kind", OperationKindName(t.kind)},
              {"cube", t.cube},
              {"client_txn_id", t.client_txn_id},
              {"deltas_count", visible},
              {"deltas", deltas},
              {"deltas_omitted", visible - deltas.size()}};
  if (p.admin && IsStructureChange(t.kind)) {
    json parameters = json::parse(t.parameters, nullptr, false);
    if (parameters.is_object() && parameters.contains("csv") && parameters["csv"].is_string()) {
      parameters["csv_bytes"] = parameters["csv"].get_ref<const std::string&>().size();
      parameters.erase("csv");  // a dimension's whole text: GET the dimension instead
    }
    if (!parameters.is_discarded()) out["parameters"] = std::move(parameters);
  }
  return out;
}

}  // namespace quantatom::server
