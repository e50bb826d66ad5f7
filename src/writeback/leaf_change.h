// What a writeback operation (spread, allocation, copy, clear) computed:
// new values for leaf atoms, before anything is logged or applied.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/spread.h"
#include "quantatom/transaction.h"

namespace quantatom {

struct LeafChange {
  uint64_t key;                                // storage key (Cube::PackLeaves)
  std::optional<double> old_value, new_value;  // nullopt: empty
};

// Sorts by key and drops changes that change nothing; a key may appear
// once only (the planners guarantee it).
void NormalizeChanges(std::vector<LeafChange>& changes);

// The changes as the log's atom deltas (member ids in cube order).
AtomDeltas DeltasOf(const Cube& cube, const std::vector<LeafChange>& changes);

// Every leaf member beneath `member`, as flags by leaf ordinal.
std::vector<uint8_t> LeafFlagsOf(const Dimension& dim, MemberId member);

// kPermissionDenied naming up to ten cells when `writable` (if set) refuses
// a changed leaf; `what` names the operation ("the spread").
Status CheckWritable(const Cube& cube, const std::vector<LeafChange>& changes,
                     const CellFilter& writable, const std::string& what);

// A number for messages: up to 15 significant digits, no trailing zeros.
std::string FormatNumber(double v);

// "(Budget, 2025-03, ...)" for messages.
std::string DescribeCell(const Cube& cube, const Coordinate& cell);
std::string DescribeKey(const Cube& cube, uint64_t key);

}  // namespace quantatom
