// The atoms of partitions as the deltas that load them, a chunk at a time:
// what the log encodes for a load or a snapshot, without an AtomDeltas copy
// of millions of atoms.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/transaction.h"
#include "store/atom_store.h"
#include "store/key_layout.h"

namespace quantatom {

class PartitionDeltas final : public DeltaSource {
 public:
  // `old_atoms`, when given, holds the values the atoms replace (a load
  // into a cube that has atoms), read as chunks are filled.
  // REQUIRES: `partitions` (ascending id) and `layout` outlive the source
  // and do not change while it is read; nor does `old_atoms` during a Fill.
  PartitionDeltas(std::span<const Partition> partitions, const KeyLayout& layout,
                  std::span<const std::shared_ptr<const Dimension>> dims,
                  const AtomStore* old_atoms);

  size_t dims() const override { return dims_.size(); }
  size_t size() const override { return starts_.back(); }
  void Fill(size_t begin, size_t end, Chunk& chunk) const override;

 private:
  std::span<const Partition> partitions_;
  const KeyLayout& layout_;
  std::span<const std::shared_ptr<const Dimension>> dims_;
  const AtomStore* old_atoms_;
  std::vector<size_t> starts_;  // the first atom of each partition, then the total
};

}  // namespace quantatom
