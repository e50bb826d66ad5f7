// How a leaf coordinate packs into one 64-bit storage key.
//
// Each dimension gets just enough bits for its leaf ordinals. The high bits
// hold the "partition dimensions" (the smallest ones, so a partition is the
// set of atoms sharing e.g. one version, month and account); the low
// inner_bits() <= 32 bits hold the rest, stored as a 32-bit key per atom.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"

namespace quantatom {

class KeyLayout {
 public:
  // Combinations of partition-dimension leaves we aim for at most.
  static constexpr uint64_t kPartitionCombosTarget = 8192;
  // Partitions stay big enough to amortize their bookkeeping.
  static constexpr int kInnerBitsMinDefault = 10;

  // `leaf_counts` in cube dimension order. Fails when they need > 64 bits.
  // A dimension joins the partition key only while at least
  // `inner_bits_min` bits stay inside the partitions.
  static Result<KeyLayout> Create(std::span<const size_t> leaf_counts,
                                  int inner_bits_min = kInnerBitsMinDefault);

  size_t dims() const { return shift_.size(); }
  int inner_bits() const { return inner_bits_; }
  bool is_partition_dim(size_t dim) const { return partition_[dim]; }

  uint64_t Pack(const LeafOrdinal* leaves) const {
    uint64_t key = 0;
    for (size_t d = 0; d < shift_.size(); ++d) key |= uint64_t{leaves[d]} << shift_[d];
    return key;
  }
  LeafOrdinal Extract(uint64_t key, size_t dim) const {
    return static_cast<LeafOrdinal>((key >> shift_[dim]) & mask_[dim]);
  }
  void Unpack(uint64_t key, LeafOrdinal* leaves) const {
    for (size_t d = 0; d < shift_.size(); ++d) leaves[d] = Extract(key, d);
  }
  int shift(size_t dim) const { return shift_[dim]; }
  uint64_t mask(size_t dim) const { return mask_[dim]; }
  uint64_t partition_of(uint64_t key) const { return key >> inner_bits_; }
  uint32_t inner_of(uint64_t key) const {
    return static_cast<uint32_t>(key & ((uint64_t{1} << inner_bits_) - 1));
  }

 private:
  std::vector<int> shift_;
  std::vector<uint64_t> mask_;
  std::vector<bool> partition_;
  int inner_bits_ = 0;
};

}  // namespace quantatom
