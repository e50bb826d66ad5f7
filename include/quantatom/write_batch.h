// A batch of leaf writes applied all-or-nothing by Cube::Write.
#pragma once

#include <optional>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom {

// One member per cube dimension, in cube order.
using Coordinate = std::vector<MemberId>;
// A cube has at most this many dimensions.
inline constexpr size_t kCubeDimensionsMax = 16;

class WriteBatch {
 public:
  struct Entry {
    Coordinate coordinate;
    std::optional<double> value;  // nullopt clears the atom (makes it empty)
  };

  void Set(Coordinate c, double value) { entries_.push_back({std::move(c), value}); }
  void Clear(Coordinate c) { entries_.push_back({std::move(c), std::nullopt}); }

  // In the order added; for a coordinate written twice the last one wins.
  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace quantatom
