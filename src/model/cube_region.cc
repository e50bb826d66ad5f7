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
  std::vector<size_t> weighted;
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
    for (const LeafWeight& lw : lws) in[d][lw.leaf] = 1;
    if (std::any_of(lws.begin(), lws.end(), [](const LeafWeight& lw) { return lw.weight != 1; })) {
      weighted.push_back(d);  // only these take part in an atom's weight
      weight[d].assign(dim.leaf_count(), 0);
      for (const LeafWeight& lw : lws) weight[d][lw.leaf] = lw.weight;
    }
  }
  std::shared_lock lock(cube.mu);
  auto beneath = [&](const AtomStore& store) {
    const auto& partitions = store.partitions();
    std::vector<std::vector<WeightedAtom>> found(partitions.size());
    ScanRegion(cube, store, in, [&](size_t pi, size_t i, const LeafOrdinal* leaves) {
      double w = 1;
      for (size_t d : weighted) w *= weight[d][leaves[d]];
      const Partition& p = partitions[pi];
      found[pi].push_back({store.Key(p, i), p.values[i], w});
    });
    return Joined(found);
  };
  std::vector<WeightedAtom> stored = beneath(cube.store);
  if (cube.derived.atom_count() == 0) return stored;
  std::vector<WeightedAtom> derived = beneath(cube.derived), out(stored.size() + derived.size());
  std::merge(stored.begin(), stored.end(), derived.begin(), derived.end(), out.begin(),
             [](const WeightedAtom& a, const WeightedAtom& b) { return a.key < b.key; });
  return out;
}

namespace {

// The atoms of `store` in the region, keys ascending. Counted first, then
// written in place: a copy of a whole cube is never held twice.
Cube::AtomsCopy CopyOf(const Cube::Impl& cube, const AtomStore& store, const LeafFlags& in) {
  const auto& partitions = store.partitions();
  std::vector<size_t> offset(partitions.size() + 1, 0);
  ScanRegion(cube, store, in, [&](size_t pi, size_t, const LeafOrdinal*) { ++offset[pi + 1]; });
  for (size_t pi = 0; pi < partitions.size(); ++pi) offset[pi + 1] += offset[pi];
  Cube::AtomsCopy out;
  out.keys.resize(offset.back());
  out.values.resize(offset.back());
  ScanRegion(cube, store, in, [&](size_t pi, size_t i, const LeafOrdinal*) {
    const size_t at = offset[pi]++;
    out.keys[at] = store.Key(partitions[pi], i);
    out.values[at] = partitions[pi].values[i];
  });
  return out;
}

}  // namespace

Cube::AtomsCopy Cube::CopyAtoms(std::span<const std::vector<bool>> keep, bool stored_only) const {
  const Impl& cube = *impl_;
  LeafFlags in(cube.dims.size());
  for (size_t d = 0; d < keep.size() && d < in.size(); ++d)
    in[d].assign(keep[d].begin(), keep[d].end());
  std::shared_lock lock(cube.mu);
  AtomsCopy stored = CopyOf(cube, cube.store, in);
  if (stored_only || cube.derived.atom_count() == 0) return stored;
  AtomsCopy derived = CopyOf(cube, cube.derived, in);
  if (derived.keys.empty()) return stored;
  // Stored and derived atoms never share a key: merged by key.
  AtomsCopy out;
  const size_t n = stored.keys.size() + derived.keys.size();
  out.keys.reserve(n);
  out.values.reserve(n);
  size_t a = 0, b = 0;
  while (a < stored.keys.size() || b < derived.keys.size()) {
    const bool from_stored =
        b == derived.keys.size() || (a < stored.keys.size() && stored.keys[a] < derived.keys[b]);
    AtomsCopy& src = from_stored ? stored : derived;
    size_t& at = from_stored ? a : b;
    out.keys.push_back(src.keys[at]);
    out.values.push_back(src.values[at++]);
  }
  return out;
}

}  // namespace quantatom
