// Reading a region of a cube: the atoms beneath a cell with their weights,
// and copies of the atoms a filter keeps.
#include <algorithm>

#include "model/cube_impl.h"
#include "model/region_scan.h"

namespace quantatom {
namespace {

// Per-partition results joined in partition order: keys ascending.
template <class T>
std::vector<T> Joined(std::vector<std::vector<T>>& parts) {
  size_t n = 0;
  for (const auto& p : parts) n += p.size();
  std::vector<T> out;
  out.reserve(n);
  for (auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
    std::vector<T>().swap(p);
  }
  return out;
}

}  // namespace

Result<std::vector<Cube::WeightedAtom>> Cube::AtomsBeneath(const Coordinate& cell) const {
  const Impl& cube = *impl_;
  if (cell.size() != cube.dims.size())
    return Status::Invalid("a cell of cube '" + cube.name + "' needs " +
                           std::to_string(cube.dims.size()) + " members");
  LeafFlags in(cube.dims.size());
  std::vector<std::vector<double>> weight(cube.dims.size());
  for (size_t d = 0; d < cube.dims.size(); ++d) {
    const Dimension& dim = *cube.dims[d];
    if (cell[d] >= dim.size())
      return Status::NotFound("member id " + std::to_string(cell[d]) + " is not in dimension '" +
                              dim.name() + "'");
    auto lws = dim.leaf_weights(cell[d]);
    const bool every_leaf_once =
        lws.size() == dim.leaf_count() &&
        std::all_of(lws.begin(), lws.end(), [](const LeafWeight& lw) { return lw.weight == 1; });
    if (every_leaf_once) continue;  // a total of the dimension: no check, weight 1
    in[d].assign(dim.leaf_count(), 0);
    weight[d].assign(dim.leaf_count(), 0);
    for (const LeafWeight& lw : lws) {
      in[d][lw.leaf] = 1;
      weight[d][lw.leaf] = lw.weight;
    }
  }
  std::shared_lock lock(cube.mu);
  const auto& partitions = cube.store.partitions();
  std::vector<std::vector<WeightedAtom>> found(partitions.size());
  ScanRegion(cube, in, [&](size_t pi, size_t i, const LeafOrdinal* leaves) {
    double w = 1;
    for (size_t d = 0; d < cube.dims.size(); ++d)
      if (!weight[d].empty()) w *= weight[d][leaves[d]];
    const Partition& p = partitions[pi];
    found[pi].push_back({cube.store.Key(p, i), p.values[i], w});
  });
  return Joined(found);
}

Cube::AtomsCopy Cube::CopyAtoms(std::span<const std::vector<bool>> keep) const {
  const Impl& cube = *impl_;
  LeafFlags in(cube.dims.size());
  for (size_t d = 0; d < keep.size() && d < in.size(); ++d)
    in[d].assign(keep[d].begin(), keep[d].end());
  std::shared_lock lock(cube.mu);
  const auto& partitions = cube.store.partitions();
  // Counted first, then written in place: a copy of a whole cube is never
  // held twice.
  std::vector<size_t> offset(partitions.size() + 1, 0);
  ScanRegion(cube, in, [&](size_t pi, size_t, const LeafOrdinal*) { ++offset[pi + 1]; });
  for (size_t pi = 0; pi < partitions.size(); ++pi) offset[pi + 1] += offset[pi];
  AtomsCopy out;
  out.keys.resize(offset.back());
  out.values.resize(offset.back());
  ScanRegion(cube, in, [&](size_t pi, size_t i, const LeafOrdinal*) {
    const size_t at = offset[pi]++;
    out.keys[at] = cube.store.Key(partitions[pi], i);
    out.values[at] = partitions[pi].values[i];
  });
  return out;
}

}  // namespace quantatom
