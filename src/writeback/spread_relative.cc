#include "writeback/spread_relative.h"

#include <algorithm>
#include <cmath>

namespace quantatom {
namespace {

// The reference cell: the target cell with the reference's members put in.
Result<Coordinate> ReferenceCell(const Cube& reference, const Coordinate& target,
                                 const SpreadReference& ref) {
  Coordinate cell = target;
  for (const auto& [dim_name, member] : ref.members) {
    auto d = reference.DimensionIndex(dim_name);
    if (!d)
      return Status::NotFound("reference: cube '" + reference.name() + "' has no dimension '" +
                              dim_name + "'");
    auto m = reference.dimensions()[*d]->Find(member);
    if (!m)
      return Status::NotFound("reference: unknown member '" + member + "' of dimension '" +
                              dim_name + "'");
    cell[*d] = *m;
  }
  return cell;
}

// Per dimension, the target leaf of each reference leaf; an empty map where
// both cells have the same member (each leaf is its own).
Result<std::vector<std::vector<LeafOrdinal>>> LeafMaps(const Cube& cube, const Coordinate& target,
                                                       const Coordinate& ref) {
  const auto& dims = cube.dimensions();
  std::vector<std::vector<LeafOrdinal>> maps(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    if (target[d] == ref[d]) continue;
    auto t = dims[d]->leaf_weights(target[d]);
    auto r = dims[d]->leaf_weights(ref[d]);
    if (t.size() != r.size())
      return Status::Invalid("'" + dims[d]->member_name(target[d]) + "' has " +
                             std::to_string(t.size()) + " leaves but the reference member '" +
                             dims[d]->member_name(ref[d]) + "' has " + std::to_string(r.size()) +
                             ": their leaves cannot be paired");
    maps[d].assign(dims[d]->leaf_count(), kNotALeaf);
    for (size_t i = 0; i < t.size(); ++i) maps[d][r[i].leaf] = t[i].leaf;
  }
  return maps;
}

struct RelativeLeaf {
  SpreadLeaf leaf;
  std::optional<double> reference;
};

// The target's atoms beside the reference's atoms moved onto the target's
// leaves, keys ascending.
Result<std::vector<RelativeLeaf>> Pair(const Cube& cube, const Cube& reference,
                                       const TargetCell& target, const SpreadReference& ref,
                                       const HoldSet& holds, const CubeCellFilter& readable) {
  QA_ASSIGN_OR_RETURN(Coordinate ref_cell, ReferenceCell(reference, target.cell, ref));
  if (readable && !readable(reference, ref_cell))
    return Status::Denied("the spread reads reference cell " + DescribeCell(reference, ref_cell) +
                          " of cube '" + reference.name() + "', which you may not read");
  QA_ASSIGN_OR_RETURN(auto maps, LeafMaps(cube, target.cell, ref_cell));
  QA_ASSIGN_OR_RETURN(std::vector<Cube::WeightedAtom> ref_atoms, reference.AtomsBeneath(ref_cell));
  const size_t dims = cube.dimensions().size();
  std::vector<std::pair<uint64_t, double>> moved;
  moved.reserve(ref_atoms.size());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (const Cube::WeightedAtom& a : ref_atoms) {
    reference.UnpackKey(a.key, leaves);
    for (size_t d = 0; d < dims; ++d)
      if (!maps[d].empty()) leaves[d] = maps[d][leaves[d]];
    moved.push_back({cube.PackLeaves(leaves), a.value});
  }
  std::sort(moved.begin(), moved.end());
  CellWeights weights(cube, target.cell);
  std::vector<RelativeLeaf> out;
  size_t i = 0, j = 0;
  while (i < target.atoms.size() || j < moved.size()) {
    if (j == moved.size() || (i < target.atoms.size() && target.atoms[i].key < moved[j].first)) {
      out.push_back({target.atoms[i++], std::nullopt});
    } else if (i == target.atoms.size() || moved[j].first < target.atoms[i].key) {
      cube.UnpackKey(moved[j].first, leaves);
      out.push_back({{moved[j].first, std::nullopt, weights.Of(leaves), holds.Held(leaves)},
                     moved[j].second});
      ++j;
    } else {
      out.push_back({target.atoms[i++], moved[j++].second});
    }
  }
  return out;
}

}  // namespace

Status SpreadRelative(const Cube& cube, const Cube& reference, const TargetCell& target,
                      const SpreadSpec& spec, const HoldSet& holds, const CubeCellFilter& readable,
                      std::vector<LeafChange>& out) {
  const auto& dims = cube.dimensions();
  if (reference.dimensions() != dims)
    return Status::Invalid("reference cube '" + reference.name() +
                           "' does not have the dimensions of cube '" + cube.name() + "'");
  QA_ASSIGN_OR_RETURN(std::vector<RelativeLeaf> paired,
                      Pair(cube, reference, target, *spec.reference, holds, readable));
  double held_sum = 0, sum = 0, magnitude = 0;
  std::vector<SpreadLeaf> movable;
  std::vector<std::optional<double>> refs;
  for (const RelativeLeaf& p : paired) {
    if (p.leaf.held) {
      held_sum += p.leaf.weight * p.leaf.value.value_or(0);
      continue;
    }
    movable.push_back(p.leaf);
    refs.push_back(p.reference);
    if (p.reference) {
      sum += p.leaf.weight * *p.reference;
      magnitude += std::abs(p.leaf.weight * *p.reference);
    }
  }
  const bool proportional = spec.method == SpreadMethod::kRelativeProportional;
  const bool replace = spec.action == SpreadAction::kReplace;
  const double sign = spec.action == SpreadAction::kSubtract ? -1 : 1;
  if (proportional && (magnitude == 0 || std::abs(sum) <= 1e-12 * magnitude))
    return Status::Precondition(
        "the reference cell's leaves beneath " + DescribeCell(cube, target.cell) +
        " that can change sum to zero: there is nothing to be proportional to");
  std::vector<std::optional<double>> values(movable.size());
  for (size_t i = 0; i < movable.size(); ++i) {
    const auto& current = movable[i].value;
    if (!refs[i]) {
      values[i] = replace ? std::nullopt : current;  // replace: the reference's pattern
      continue;
    }
    const double amount = proportional
                              ? (replace ? spec.value - held_sum : spec.value) * *refs[i] / sum
                              : *refs[i] * spec.value / 100;
    values[i] = replace ? amount : current.value_or(0) + sign * amount;
  }
  std::optional<double> total;
  if (proportional) total = replace ? spec.value : target.current + sign * spec.value;
  RoundToTotal(movable, values, held_sum, total, spec.decimals);
  for (size_t i = 0; i < movable.size(); ++i)
    if (values[i] != movable[i].value) out.push_back({movable[i].key, movable[i].value, values[i]});
  return Status::Ok();
}

}  // namespace quantatom
