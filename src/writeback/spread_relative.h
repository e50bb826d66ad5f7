// The relative spreads: a cell's leaves set from the leaves of a reference
// cell (relative proportional, relative percent adjustment).
#pragma once

#include <vector>

#include "writeback/spread_cell.h"

namespace quantatom {

// `reference` must have the same dimensions as `cube` (it may be `cube`);
// `readable` (when set) must accept the reference cell.
Status SpreadRelative(const Cube& cube, const Cube& reference, const TargetCell& target,
                      const SpreadSpec& spec, const HoldSet& holds, const CubeCellFilter& readable,
                      std::vector<LeafChange>& out);

}  // namespace quantatom
