#include "store/key_layout.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <string>

namespace quantatom {

Result<KeyLayout> KeyLayout::Create(std::span<const size_t> leaf_counts, int inner_bits_min) {
  const size_t n = leaf_counts.size();
  std::vector<int> bits(n);
  int total_bits = 0;
  for (size_t d = 0; d < n; ++d) {
    bits[d] = leaf_counts[d] <= 1 ? 0 : std::bit_width(uint64_t{leaf_counts[d] - 1});
    total_bits += bits[d];
  }
  if (total_bits > 64)
    return Status::Limit("leaf coordinates need " + std::to_string(total_bits) +
                         " bits; a cube is limited to 64");

  // Partition by the smallest dimensions while their combinations stay few,
  // and by as many as it takes to leave at most 32 inner bits.
  std::vector<size_t> by_size(n);
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return leaf_counts[a] < leaf_counts[b]; });
  std::vector<bool> partition_dim(n, false);
  uint64_t combos = 1;
  int inner_bits = total_bits;
  for (size_t d : by_size) {
    bool few = combos * std::max<size_t>(leaf_counts[d], 1) <= kPartitionCombosTarget &&
               inner_bits - bits[d] >= inner_bits_min;
    if (!few && inner_bits <= 32) break;
    partition_dim[d] = true;
    combos *= std::max<size_t>(leaf_counts[d], 1);
    inner_bits -= bits[d];
  }

  KeyLayout layout;
  layout.shift_.resize(n);
  layout.mask_.resize(n);
  layout.inner_bits_ = inner_bits;
  layout.partition_ = partition_dim;
  int inner_shift = inner_bits, outer_shift = 64;
  // Cube order within each group: the first dimension is the most significant.
  for (size_t d = 0; d < n; ++d) {
    if (partition_dim[d]) {
      outer_shift -= bits[d];
    } else {
      inner_shift -= bits[d];
    }
    layout.shift_[d] = partition_dim[d] ? outer_shift : inner_shift;
    layout.mask_[d] = bits[d] == 0 ? 0 : (~uint64_t{0} >> (64 - bits[d]));
  }
  // Close the gap between the partition bits and the inner bits.
  int gap = outer_shift - inner_bits;
  for (size_t d = 0; d < n; ++d)
    if (partition_dim[d]) layout.shift_[d] -= gap;
  return layout;
}

}  // namespace quantatom
