// Bulk writeback over regions of a cube: copying a slice to another (a
// version to a version, a year to a year), clearing a slice, and
// driver-based allocation (docs/writeback.md).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quantatom/spread.h"

namespace quantatom {

// Dimension name -> member name or alias.
using MemberChoice = std::vector<std::pair<std::string, std::string>>;

// A region of a cube: per dimension named, the leaves beneath a member (a
// leaf: itself); a dimension not named takes all of its leaves.
struct Slice {
  MemberChoice members;
};

struct SliceCopy {
  Slice source;
  // Per dimension, the member whose leaves receive the source member's
  // leaves, paired in order: {Version: Forecast} copies Actual to Forecast,
  // {Time: FY2025} copies FY2024 month by month. Both members must have as
  // many leaves.
  MemberChoice target;
  double factor = 1;  // every copied value is multiplied by it
  // true: the target slice becomes the source's copy (its atoms without a
  // source atom are removed); false: those are kept.
  bool replace = true;
};

struct Allocation {
  // The amount to allocate; when absent, the value `source` reads.
  std::optional<double> amount;
  std::optional<Coordinate> source;
  // With `source` a leaf outside the targets: it is emptied, so the amount
  // moves to the targets instead of being counted twice.
  bool move_source = false;
  // The leaves receiving shares: every dimension must be named. Their
  // atoms are replaced: a leaf whose driver is zero or empty ends empty.
  Slice targets;
  // The driver of a target leaf is the cell of `driver_cube` ("" for the
  // same cube) at the target leaf's members, with `driver_members` put in
  // (they may be consolidated: {Account: Revenue, Product: Total Product}).
  // Dimensions of the driver cube that the target cube lacks must be named.
  std::string driver_cube;
  MemberChoice driver_members;
  // Shares rounded to this many decimals, the remainder put on the largest
  // share (the first in key order among equals) so they still sum to the
  // amount; -1: no rounding.
  int decimals = -1;
};

}  // namespace quantatom
