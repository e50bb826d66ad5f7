// Turns an unordered pile of (key, value) rows into sorted partitions,
// summing rows that share a key. Parallel over partitions.
#pragma once

#include <cstdint>
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

}  // namespace quantatom
