#include "writeback/spread_cell.h"

#include <algorithm>
#include <cmath>

namespace quantatom {

HoldSet::HoldSet(const Cube& cube, const std::vector<Coordinate>& holds) : cube_(cube) {
  const auto& dims = cube.dimensions();
  for (const Coordinate& h : holds) {
    std::vector<std::vector<uint8_t>> flags;
    for (size_t d = 0; d < dims.size(); ++d) flags.push_back(LeafFlagsOf(*dims[d], h[d]));
    holds_.push_back(std::move(flags));
  }
}

bool HoldSet::Held(const LeafOrdinal* leaves) const {
  for (const auto& h : holds_) {
    bool inside = true;
    for (size_t d = 0; d < h.size() && inside; ++d) inside = h[d][leaves[d]];
    if (inside) return true;
  }
  return false;
}

bool HoldSet::Frozen(const Coordinate& cell) const {
  const auto& dims = cube_.dimensions();
  for (const auto& h : holds_) {
    bool covers = true;
    for (size_t d = 0; d < dims.size() && covers; ++d)
      for (const LeafWeight& lw : dims[d]->leaf_weights(cell[d]))
        if (!h[d][lw.leaf]) {
          covers = false;
          break;
        }
    if (covers) return true;
  }
  return false;
}

CellWeights::CellWeights(const Cube& cube, const Coordinate& cell) {
  const auto& dims = cube.dimensions();
  for (size_t d = 0; d < dims.size(); ++d) {
    std::vector<double> w(dims[d]->leaf_count(), 0);
    auto lws = dims[d]->leaf_weights(cell[d]);
    for (const LeafWeight& lw : lws) w[lw.leaf] = lw.weight;
    weight_.push_back(std::move(w));
    leaves_.emplace_back(lws.begin(), lws.end());
  }
}

double CellWeights::Of(const LeafOrdinal* leaves) const {
  double w = 1;
  for (size_t d = 0; d < weight_.size(); ++d) w *= weight_[d][leaves[d]];
  return w;
}

uint64_t CellWeights::LeafCellCount() const {
  uint64_t n = 1;
  for (const auto& l : leaves_) {
    if (l.empty()) return 0;
    n = l.size() > UINT64_MAX / n ? UINT64_MAX : n * l.size();
  }
  return n;
}

Result<TargetCell> ReadTargetCell(const Cube& cube, const Coordinate& cell, const HoldSet& holds) {
  TargetCell t;
  t.cell = cell;
  QA_ASSIGN_OR_RETURN(std::vector<Cube::WeightedAtom> atoms, cube.AtomsBeneath(cell));
  t.atoms.resize(atoms.size());  // then field by field, as in DistributeTotal
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t i = 0; i < atoms.size(); ++i) {
    const Cube::WeightedAtom& a = atoms[i];
    SpreadLeaf& l = t.atoms[i];
    l.key = a.key;
    l.value = a.value;
    l.weight = a.weight;
    l.held = false;
    if (!holds.empty()) {
      cube.UnpackKey(a.key, leaves);
      l.held = holds.Held(leaves);
    }
    t.current += a.weight * a.value;
  }
  t.frozen = !holds.empty() && holds.Frozen(cell);
  return t;
}

Result<std::vector<SpreadLeaf>> EveryLeafBeneath(const Cube& cube, const TargetCell& target,
                                                 const HoldSet& holds, size_t leaves_max) {
  CellWeights weights(cube, target.cell);
  const uint64_t count = weights.LeafCellCount();
  if (count > leaves_max)
    return Status::Limit("cell " + DescribeCell(cube, target.cell) + " has " +
                         std::to_string(count) + " leaf cells beneath it; a spread may write " +
                         std::to_string(leaves_max) + " at most");
  const size_t dims = cube.dimensions().size();
  std::vector<SpreadLeaf> out;
  out.reserve(count);
  std::vector<size_t> at(dims, 0);  // an odometer over the leaves of each dimension
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (uint64_t n = 0; n < count; ++n) {
    double w = 1;
    for (size_t d = 0; d < dims; ++d) {
      const LeafWeight& lw = weights.leaves(d)[at[d]];
      leaves[d] = lw.leaf;
      w *= lw.weight;
    }
    out.push_back({cube.PackLeaves(leaves), std::nullopt, w, holds.Held(leaves)});
    for (size_t d = dims; d-- > 0;) {
      if (++at[d] < weights.leaves(d).size()) break;
      at[d] = 0;
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
  size_t j = 0;  // current values from the atoms, both in key order
  for (SpreadLeaf& leaf : out) {
    while (j < target.atoms.size() && target.atoms[j].key < leaf.key) ++j;
    if (j < target.atoms.size() && target.atoms[j].key == leaf.key)
      leaf.value = target.atoms[j].value;
  }
  return out;
}

double RoundTo(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

bool ShareEqually(const std::vector<SpreadLeaf>& leaves, double amount, bool add_to_current,
                  std::vector<std::optional<double>>& values) {
  double sum_w2 = 0;
  for (const SpreadLeaf& l : leaves) sum_w2 += l.weight * l.weight;
  if (sum_w2 == 0) return false;
  values.resize(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].weight == 0) {
      values[i] = leaves[i].value;
      continue;
    }
    double base = add_to_current ? leaves[i].value.value_or(0) : 0;
    values[i] = base + amount * leaves[i].weight / sum_w2;
  }
  return true;
}

void RoundToTotal(const std::vector<SpreadLeaf>& leaves, std::vector<std::optional<double>>& values,
                  double fixed, std::optional<double> total, int decimals) {
  if (decimals < 0) return;
  double achieved = fixed;
  size_t largest = SIZE_MAX;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!values[i]) continue;
    if (values[i] != leaves[i].value) values[i] = RoundTo(*values[i], decimals);
    achieved += leaves[i].weight * *values[i];
    if (leaves[i].weight != 0 && values[i] != leaves[i].value &&
        (largest == SIZE_MAX || std::abs(*values[i]) > std::abs(*values[largest])))
      largest = i;
  }
  if (!total || largest == SIZE_MAX) return;
  const double residual = *total - achieved;
  if (residual != 0)
    values[largest] = RoundTo(*values[largest] + residual / leaves[largest].weight, decimals);
}

namespace {

void Emit(const std::vector<SpreadLeaf>& leaves, const std::vector<std::optional<double>>& values,
          std::vector<LeafChange>& out) {
  for (size_t i = 0; i < leaves.size(); ++i)
    if (values[i] != leaves[i].value) out.push_back({leaves[i].key, leaves[i].value, values[i]});
}

std::vector<SpreadLeaf> Movable(const std::vector<SpreadLeaf>& leaves, double& held_sum) {
  std::vector<SpreadLeaf> out;
  held_sum = 0;
  for (const SpreadLeaf& l : leaves) {
    if (l.held)
      held_sum += l.weight * l.value.value_or(0);
    else
      out.push_back(l);
  }
  return out;
}

}  // namespace

Status DistributeTotal(const Cube& cube, const TargetCell& target, double total,
                       const HoldSet& holds, const SpreadLimits& limits, int decimals,
                       std::vector<LeafChange>& out) {
  if (target.frozen) return Status::Ok();
  double held_sum = 0, sum = 0, magnitude = 0;
  for (const SpreadLeaf& l : target.atoms) {
    const double v = l.weight * *l.value;
    if (l.held) {
      held_sum += v;
    } else {
      sum += v;
      magnitude += std::abs(v);
    }
  }
  const double wanted = total - held_sum;
  if (std::abs(wanted - sum) <= 1e-12 * std::max(magnitude, std::abs(wanted))) return Status::Ok();
  const bool by_value = magnitude > 0 && std::abs(sum) > 1e-12 * magnitude;
  if (by_value && decimals < 0) {
    // The common case, scaled in one pass: a spread may cover millions.
    const double factor = wanted / sum;
    if (out.capacity() < out.size() + target.atoms.size())  // grown geometrically: a range
      out.reserve(std::max(out.size() + target.atoms.size(), 2 * out.capacity()));
    // Written field by field: a whole LeafChange built aside and copied in
    // stalls on reading back its just-written flags.
    size_t n = out.size();
    out.resize(n + target.atoms.size());
    for (const SpreadLeaf& l : target.atoms) {
      const double v = *l.value * factor;
      if (l.held || v == *l.value) continue;
      LeafChange& c = out[n++];
      c.key = l.key;
      c.old_value = *l.value;
      c.new_value = v;
    }
    out.resize(n);
    return Status::Ok();
  }
  std::vector<SpreadLeaf> movable = Movable(target.atoms, held_sum);
  std::vector<std::optional<double>> values(movable.size());
  if (by_value) {
    const double factor = wanted / sum;
    for (size_t i = 0; i < movable.size(); ++i) values[i] = *movable[i].value * factor;
  } else if (!ShareEqually(movable, wanted, false, values)) {
    // No atom that can move: every non-held leaf cell gets an equal share.
    QA_ASSIGN_OR_RETURN(std::vector<SpreadLeaf> every,
                        EveryLeafBeneath(cube, target, holds, limits.leaves_max));
    movable = Movable(every, held_sum);
    if (!ShareEqually(movable, total - held_sum, false, values))
      return Status::Precondition(
          "cell " + DescribeCell(cube, target.cell) + " cannot read " + FormatNumber(total) +
          (movable.size() < every.size() ? ": every leaf beneath it that counts is held"
                                         : ": the weights of its leaves cancel out"));
  }
  RoundToTotal(movable, values, held_sum, total, decimals);
  Emit(movable, values, out);
  return Status::Ok();
}

}  // namespace quantatom
