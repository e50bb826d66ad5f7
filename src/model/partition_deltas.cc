#include "model/partition_deltas.h"

#include <tbb/parallel_for.h>

#include <algorithm>

namespace quantatom {

PartitionDeltas::PartitionDeltas(std::span<const Partition> partitions, const KeyLayout& layout,
                                 std::span<const std::shared_ptr<const Dimension>> dims,
                                 const AtomStore* old_atoms)
    : partitions_(partitions), layout_(layout), dims_(dims), old_atoms_(old_atoms) {
  starts_.reserve(partitions.size() + 1);
  starts_.push_back(0);
  for (const Partition& p : partitions) starts_.push_back(starts_.back() + p.keys.size());
}

void PartitionDeltas::Fill(size_t begin, size_t end, Chunk& chunk) const {
  const size_t n = end - begin, dims = dims_.size();
  chunk.size = n;
  chunk.members.resize(n * dims);
  chunk.flags.assign(n, AtomDeltas::kHasNew);
  chunk.old_values.assign(n, 0);
  chunk.new_values.resize(n);
  const AtomStore* old_atoms = old_atoms_ && old_atoms_->atom_count() != 0 ? old_atoms_ : nullptr;
  // Partition by partition, in parallel: each fills its own slice.
  const size_t first =
      std::upper_bound(starts_.begin(), starts_.end(), begin) - starts_.begin() - 1;
  const size_t last = std::lower_bound(starts_.begin(), starts_.end(), end) - starts_.begin();
  tbb::parallel_for(first, last, [&](size_t p) {
    const Partition& part = partitions_[p];
    const size_t from = std::max(begin, starts_[p]), to = std::min(end, starts_[p + 1]);
    const uint64_t high = part.id << layout_.inner_bits();
    for (size_t a = from; a < to; ++a) {
      const size_t i = a - begin, at = a - starts_[p];
      const uint64_t key = high | part.keys[at];
      for (size_t k = 0; k < dims; ++k)
        chunk.members[k * n + i] = dims_[k]->leaf_member(layout_.Extract(key, k));
      chunk.new_values[i] = part.values[at];
      if (!old_atoms) continue;
      if (auto old = old_atoms->Get(key))
        chunk.flags[i] |= AtomDeltas::kHasOld, chunk.old_values[i] = *old;
    }
  });
}

}  // namespace quantatom
