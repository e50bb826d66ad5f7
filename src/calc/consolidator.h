// Consolidation: computes many consolidated cells in one pass over the atoms.
//
// The request names, per dimension, the members whose cells are wanted; the
// answer is every combination of them. Dimensions with one target member
// act as a filter with a per-leaf weight. For the others each atom first
// lands in a small dense tensor indexed by its leaves (stage 1), which is
// then contracted with the weighted leaf sets of the targets (stage 2), so
// the per-atom work stays a few table lookups whatever the hierarchy depth.
#pragma once

#include <memory>
#include <vector>

#include "calc/cell_cache.h"
#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "store/atom_store.h"
#include "store/key_layout.h"

namespace quantatom {

struct ConsolidationInput {
  const AtomStore* store;
  const AtomStore* derived;  // the atoms of leaf rules, read like the stored ones
  const KeyLayout* layout;
  const std::vector<std::shared_ptr<const Dimension>>* dims;
  // Stage-1 tensors larger than this fall back to a direct per-atom
  // expansion into the target cells.
  size_t stage_slots_max;
};

// Dense over the product of targets[d].size(), the last dimension fastest.
struct CellTensor {
  std::vector<CellAggregate> cells;
  std::vector<size_t> strides;  // per dimension
};

// REQUIRES: the caller holds the cube's read lock; targets[d] non-empty,
// distinct members of dimension d.
CellTensor Consolidate(const ConsolidationInput& in,
                       const std::vector<std::vector<MemberId>>& targets);

}  // namespace quantatom
