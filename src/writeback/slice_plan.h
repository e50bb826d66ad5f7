// Computing slice copies, clears and allocations (quantatom/slice.h): the
// leaf changes they make, before anything is logged.
#pragma once

#include <vector>

#include "quantatom/slice.h"
#include "writeback/leaf_change.h"

namespace quantatom {

// Per dimension of `cube`, the member a slice names (nullopt: every leaf).
Result<std::vector<std::optional<MemberId>>> ResolveSlice(const Cube& cube, const Slice& slice);

// Changes from the atoms a region holds (`existing`) to the values wanted
// there, both keys ascending; with `remove_rest`, existing atoms not wanted
// are emptied.
std::vector<LeafChange> MergeChanges(const Cube::AtomsCopy& existing,
                                     const std::vector<std::pair<uint64_t, double>>& wanted,
                                     bool remove_rest);

// Each returns changes keys ascending, unchanged leaves left out, and is
// refused (kPermissionDenied) when `access` refuses a changed leaf or a
// cell read: a copy's source, an allocation's source and drivers.
Result<std::vector<LeafChange>> PlanSliceCopy(const Cube& cube, const SliceCopy& copy,
                                              const SpreadLimits& limits,
                                              const WritebackAccess& access);
Result<std::vector<LeafChange>> PlanSliceClear(const Cube& cube, const Slice& slice,
                                               const SpreadLimits& limits,
                                               const WritebackAccess& access);
// `driver` is the cube holding the drivers (`cube` itself unless named).
Result<std::vector<LeafChange>> PlanAllocation(const Cube& cube, const Cube& driver,
                                               const Allocation& allocation,
                                               const SpreadLimits& limits,
                                               const WritebackAccess& access);

}  // namespace quantatom
