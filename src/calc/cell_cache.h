// Consolidated cells remembered between reads.
//
// Writes do not invalidate the cache: each leaf change adds weight x delta
// to every cached cell above it, so a re-read after an edit is a lookup.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/write_batch.h"

namespace quantatom {

// A consolidated cell's aggregate: its value and how many atoms feed it
// (zero atoms = empty, which differs from a value of 0).
struct CellAggregate {
  double sum = 0;
  uint64_t atoms = 0;
};

struct CellKey {
  std::array<MemberId, kCubeDimensionsMax> members{};
  uint8_t size = 0;

  static CellKey Of(std::span<const MemberId> coordinate);
  bool operator==(const CellKey& o) const {
    return size == o.size && std::equal(members.begin(), members.begin() + size, o.members.begin());
  }
};

struct CellKeyHash {
  size_t operator()(const CellKey& k) const;
};

// Thread-safe: lookups share a lock, changes take it exclusively.
class CellCache {
 public:
  explicit CellCache(size_t cells_max) : cells_max_(cells_max) {}

  // Fills `out[i]` for each key found; returns how many were found.
  size_t LookupAll(std::span<const CellKey> keys,
                   std::span<std::optional<CellAggregate>> out) const;
  void InsertAll(std::span<const CellKey> keys, std::span<const CellAggregate> values);

  // One atom at `leaves` (ordinal per dimension) changed by `delta`, and
  // appeared (+1), disappeared (-1) or stayed (0).
  void ApplyDelta(const std::vector<std::shared_ptr<const Dimension>>& dims,
                  std::span<const LeafOrdinal> leaves, double delta, int atoms_delta);
  void Clear();
  size_t size() const;

 private:
  size_t cells_max_;
  mutable std::shared_mutex mu_;
  std::unordered_map<CellKey, CellAggregate, CellKeyHash> cells_;
};

}  // namespace quantatom
