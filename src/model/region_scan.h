// Scanning the atoms of a region of a cube: per dimension, the leaves the
// region takes. Partitions whose partition-dimension leaves fall outside are
// skipped whole, so a region of one version and one year reads only its own
// partitions.
#pragma once

#include <tbb/parallel_for.h>

#include <cstdint>
#include <vector>

#include "model/cube_impl.h"

namespace quantatom {

// Per dimension, a flag per leaf; an empty vector takes every leaf.
using LeafFlags = std::vector<std::vector<uint8_t>>;

// Calls visit(partition_index, atom_index, leaves) for every atom of
// `store` (the cube's stored or derived atoms) in the region, in key order
// within each partition. Partitions are visited in parallel, each by one
// thread, so a caller collecting per partition index needs no lock.
// REQUIRES: the cube's read lock held.
template <class Visit>
void ScanRegion(const Cube::Impl& cube, const AtomStore& store, const LeafFlags& in,
                Visit&& visit) {
  const KeyLayout& layout = cube.layout;
  const auto& partitions = store.partitions();
  const size_t dims = cube.dims.size();
  // Partition dimensions are checked once per partition; inside, only the
  // other dimensions that do not take every leaf.
  std::vector<size_t> checked;
  for (size_t d = 0; d < dims; ++d)
    if (!in[d].empty() && !layout.is_partition_dim(d)) checked.push_back(d);
  auto reaches = [&](uint64_t partition_id) {
    const uint64_t key = partition_id << layout.inner_bits();
    for (size_t d = 0; d < dims; ++d)
      if (layout.is_partition_dim(d) && !in[d].empty() && !in[d][layout.Extract(key, d)])
        return false;
    return true;
  };
  tbb::parallel_for(tbb::blocked_range<size_t>(0, partitions.size(), 16), [&](const auto& r) {
    LeafOrdinal leaves[kCubeDimensionsMax];
    for (size_t pi = r.begin(); pi < r.end(); ++pi) {
      const Partition& p = partitions[pi];
      if (!reaches(p.id)) continue;
      for (size_t i = 0; i < p.keys.size(); ++i) {
        const uint64_t key = store.Key(p, i);
        bool inside = true;
        for (size_t k = 0; k < checked.size() && inside; ++k)
          inside = in[checked[k]][layout.Extract(key, checked[k])];
        if (!inside) continue;
        layout.Unpack(key, leaves);
        visit(pi, i, leaves);
      }
    }
  });
}

}  // namespace quantatom
