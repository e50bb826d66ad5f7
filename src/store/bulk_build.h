// Turns an unordered pile of (key, value) rows into sorted partitions,
// summing rows that share a key. Parallel over partitions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "store/atom_store.h"

namespace quantatom {

struct BulkBuildResult {
  std::vector<Partition> partitions;  // ascending id, exact-size arrays
  size_t duplicates = 0;              // rows folded into an earlier row
};

// Consumes `keys` and `values` (same length) to keep peak memory down.
BulkBuildResult BuildPartitions(std::vector<uint64_t> keys, std::vector<double> values,
                                int inner_bits);

// Partitions of rows already ascending by key with no key twice (a load or a
// snapshot as the log holds it): cut, not sorted. Parallel over partitions.
std::vector<Partition> PartitionSorted(std::span<const uint64_t> keys,
                                       std::span<const double> values, int inner_bits);

}  // namespace quantatom
