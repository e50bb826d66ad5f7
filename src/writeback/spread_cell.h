// One target cell of a spread: its leaves, which of them are held, and how
// a new value for the cell is passed down to them.
#pragma once

#include <optional>
#include <vector>

#include "quantatom/spread.h"
#include "writeback/leaf_change.h"

namespace quantatom {

// Held cells as leaf flags per dimension: a leaf cell is held when it lies
// beneath some held cell.
class HoldSet {
 public:
  HoldSet(const Cube& cube, const std::vector<Coordinate>& holds);
  bool empty() const { return holds_.empty(); }
  bool Held(const LeafOrdinal* leaves) const;
  // Every leaf beneath `cell` is held (the cell keeps its value).
  bool Frozen(const Coordinate& cell) const;

 private:
  const Cube& cube_;
  std::vector<std::vector<std::vector<uint8_t>>> holds_;  // hold -> dimension -> leaf flag
};

// The weight of each leaf under one cell's members, per dimension.
class CellWeights {
 public:
  CellWeights(const Cube& cube, const Coordinate& cell);
  // 0 when the leaf is not beneath the cell (or its paths cancel out).
  double Of(const LeafOrdinal* leaves) const;
  // Leaf cells beneath the cell, empty or not.
  uint64_t LeafCellCount() const;
  const std::vector<LeafWeight>& leaves(size_t dim) const { return leaves_[dim]; }

 private:
  std::vector<std::vector<double>> weight_;
  std::vector<std::vector<LeafWeight>> leaves_;
};

struct SpreadLeaf {
  uint64_t key;
  std::optional<double> value;  // current; nullopt: empty
  double weight;                // in the target cell
  bool held;
};

// A target cell and its atoms.
struct TargetCell {
  Coordinate cell;
  std::vector<SpreadLeaf> atoms;  // keys ascending
  double current = 0;             // what the cell reads (0 when empty)
  bool frozen = false;            // held whole
};

Result<TargetCell> ReadTargetCell(const Cube& cube, const Coordinate& cell, const HoldSet& holds);

// Every leaf cell beneath `cell`, empty or not, keys ascending, with current
// values; refused past `leaves_max`.
Result<std::vector<SpreadLeaf>> EveryLeafBeneath(const Cube& cube, const TargetCell& target,
                                                 const HoldSet& holds, size_t leaves_max);

// Changes that make `target` read `total`: the non-held atoms scaled in
// proportion to their values; when those sum to zero, the same share for
// each (w / sum of w squared, so negative weights still add up); when the
// cell has no non-held atom, that share in every non-held leaf cell. Held
// leaves keep their values; refused when nothing can move. `decimals` >= 0
// rounds, the remainder put on the largest changed leaf.
Status DistributeTotal(const Cube& cube, const TargetCell& target, double total,
                       const HoldSet& holds, const SpreadLimits& limits, int decimals,
                       std::vector<LeafChange>& out);

// Equal shares of `amount` among `leaves` (w / sum of w squared each), so
// their weighted sum grows by `amount`; added to `base` values (nullopt:
// replace from zero). False when every weight is zero.
bool ShareEqually(const std::vector<SpreadLeaf>& leaves, double amount, bool add_to_current,
                  std::vector<std::optional<double>>& values);

// Rounds `values` (new values of `leaves`) to `decimals`, then puts what the
// weighted sum lost against `total` on the largest changed leaf. `fixed` is
// the weighted sum of the leaves not in `leaves`.
void RoundToTotal(const std::vector<SpreadLeaf>& leaves, std::vector<std::optional<double>>& values,
                  double fixed, std::optional<double> total, int decimals);

double RoundTo(double v, int decimals);

}  // namespace quantatom
