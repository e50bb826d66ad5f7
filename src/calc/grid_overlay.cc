#include "calc/grid_overlay.h"

#include <algorithm>

namespace quantatom {
namespace {

// Per leaf of one axis dimension, the header positions above it and the
// leaf's weight in each (CSR, as in the direct consolidation).
struct Inverted {
  std::vector<uint32_t> begin;  // leaf_count + 1
  std::vector<std::pair<uint32_t, double>> links;
};

Inverted Invert(const Dimension& dim, const std::vector<MemberId>& members) {
  std::vector<std::vector<std::pair<uint32_t, double>>> per_leaf(dim.leaf_count());
  for (uint32_t p = 0; p < members.size(); ++p)
    for (const LeafWeight& lw : dim.leaf_weights(members[p]))
      per_leaf[lw.leaf].push_back({p, lw.weight});
  Inverted out;
  out.begin.push_back(0);
  for (auto& v : per_leaf) {
    out.links.insert(out.links.end(), v.begin(), v.end());
    out.begin.push_back(static_cast<uint32_t>(out.links.size()));
  }
  return out;
}

// The tuples of an axis above a leaf, with their weights.
struct AxisMatcher {
  const GridAxis& axis;
  std::vector<Inverted> inverted;
  std::vector<std::pair<size_t, double>> matches, next;  // reused from leaf to leaf

  AxisMatcher(const Cube::Impl& cube, const GridAxis& a) : axis(a) {
    for (size_t k = 0; k < a.dims.size(); ++k)
      inverted.push_back(Invert(*cube.dims[a.dims[k]], a.members[k]));
  }
  const std::vector<std::pair<size_t, double>>& Match(const LeafOrdinal* leaves) {
    matches.assign(1, {0, 1.0});
    for (size_t k = 0; k < axis.dims.size(); ++k) {
      const Inverted& inv = inverted[k];
      const LeafOrdinal leaf = leaves[axis.dims[k]];
      std::vector<std::pair<size_t, double>> next;
      for (const auto& [index, weight] : matches)
        for (uint32_t i = inv.begin[leaf]; i < inv.begin[leaf + 1]; ++i)
          next.push_back(
              {index * axis.members[k].size() + inv.links[i].first, weight * inv.links[i].second});
      matches = std::move(next);
    }
    return matches;
  }
};

// What each overlay cell changes against the atom it replaces (stored, or
// derived by a leaf rule), in key order; cells that change nothing left out.
struct OverlayChange {
  uint64_t key;
  double delta;
  int64_t atoms;  // +1 appears, -1 disappears, 0 stays
};
std::vector<OverlayChange> ChangesOf(const Cube::Impl& cube, std::span<const SandboxCell> overlay) {
  std::vector<std::pair<uint64_t, size_t>> by_key(overlay.size());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t i = 0; i < overlay.size(); ++i) {
    for (size_t d = 0; d < cube.dims.size(); ++d)
      leaves[d] = cube.dims[d]->leaf_ordinal(overlay[i].cell[d]);
    by_key[i] = {cube.layout.Pack(leaves), i};
  }
  std::sort(by_key.begin(), by_key.end());
  std::vector<uint64_t> keys(by_key.size());
  for (size_t i = 0; i < by_key.size(); ++i) keys[i] = by_key[i].first;
  std::vector<std::optional<double>> base, derived;
  cube.store.GetSorted(keys, base);
  if (cube.derived.atom_count() > 0) {
    cube.derived.GetSorted(keys, derived);
    for (size_t i = 0; i < base.size(); ++i)
      if (!base[i]) base[i] = derived[i];
  }
  std::vector<OverlayChange> out;
  for (size_t j = 0; j < keys.size(); ++j) {
    const std::optional<double>& now = overlay[by_key[j].second].value;
    const double delta = now.value_or(0) - base[j].value_or(0);
    const int64_t atoms = int64_t{now.has_value()} - int64_t{base[j].has_value()};
    if (delta != 0 || atoms != 0) out.push_back({keys[j], delta, atoms});
  }
  return out;
}

}  // namespace

Status AddOverlayToCells(const Cube::Impl& cube, std::span<const Coordinate> cells,
                         std::span<const SandboxCell> overlay,
                         std::vector<CellAggregate>& aggregates) {
  if (overlay.empty()) return Status::Ok();
  if (overlay.size() > kOverlayPairsMax / std::max<size_t>(cells.size(), 1))
    return Status::Limit("reading " + std::to_string(cells.size()) + " cells through " +
                         std::to_string(overlay.size()) + " changed cells is too much work");
  const size_t dims = cube.dims.size();
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (const OverlayChange& change : ChangesOf(cube, overlay)) {
    cube.layout.Unpack(change.key, leaves);
    for (size_t i = 0; i < cells.size(); ++i) {
      double weight = 1;
      bool beneath = true;
      for (size_t d = 0; d < dims && beneath; ++d) {
        const Dimension& dim = *cube.dims[d];
        const MemberId m = cells[i][d];
        if (dim.is_leaf(m)) {
          beneath = dim.leaf_ordinal(m) == leaves[d];
        } else {
          std::optional<double> w = dim.WeightOf(m, leaves[d]);
          beneath = w.has_value();
          weight *= w.value_or(0);
        }
      }
      if (!beneath) continue;
      aggregates[i].sum += change.delta * weight;
      aggregates[i].atoms += static_cast<uint64_t>(change.atoms);  // wraps back for removals
    }
  }
  return Status::Ok();
}

size_t GridAxis::tuples() const {
  size_t n = 1;
  for (const auto& m : members) n *= m.size();
  return n;
}

void AddOverlay(const Cube::Impl& cube, const GridAxis& rows, const GridAxis& columns,
                const Coordinate& context, std::span<const SandboxCell> overlay,
                Cube::GridDelta& out) {
  const size_t dims = cube.dims.size(), nc = columns.tuples();
  std::vector<bool> on_axis(dims, false);
  for (size_t d : rows.dims) on_axis[d] = true;
  for (size_t d : columns.dims) on_axis[d] = true;
  // The context's weight per leaf, for the dimensions on no axis.
  std::vector<std::vector<double>> context_weight(dims);
  std::vector<std::vector<uint8_t>> under_context(dims);
  for (size_t d = 0; d < dims; ++d) {
    if (on_axis[d]) continue;
    context_weight[d].assign(cube.dims[d]->leaf_count(), 0);
    under_context[d].assign(cube.dims[d]->leaf_count(), 0);
    for (const LeafWeight& lw : cube.dims[d]->leaf_weights(context[d])) {
      context_weight[d][lw.leaf] = lw.weight;
      under_context[d][lw.leaf] = 1;
    }
  }
  AxisMatcher row_match(cube, rows), column_match(cube, columns);
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (const OverlayChange& change : ChangesOf(cube, overlay)) {
    cube.layout.Unpack(change.key, leaves);
    double weight = 1;
    bool beneath = true;
    for (size_t d = 0; d < dims && beneath; ++d) {
      if (on_axis[d]) continue;
      beneath = under_context[d][leaves[d]];
      weight *= context_weight[d][leaves[d]];
    }
    if (!beneath) continue;
    const auto& row_hits = row_match.Match(leaves);
    if (row_hits.empty()) continue;
    for (const auto& [c, wc] : column_match.Match(leaves))
      for (const auto& [r, wr] : row_hits) {
        out.sums[r * nc + c] += change.delta * weight * wr * wc;
        out.atoms[r * nc + c] += change.atoms;
      }
  }
}

}  // namespace quantatom
