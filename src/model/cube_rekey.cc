// Cube::WithDimensions: a cube's atoms carried over to new versions of its
// dimensions after a structure change. Leaf ordinals (and so storage keys)
// move when leaves come and go; member ids do not, so each atom is mapped
// leaf -> member -> new leaf.
#include <algorithm>

#include "model/cube_impl.h"
#include "store/bulk_build.h"

namespace quantatom {
namespace {

// Old leaf ordinal -> new one, kNotALeaf where the member is no leaf now.
std::vector<LeafOrdinal> LeafMap(const Dimension& before, const Dimension& after) {
  std::vector<LeafOrdinal> map(before.leaf_count(), kNotALeaf);
  for (LeafOrdinal l = 0; l < before.leaf_count(); ++l) {
    MemberId m = before.leaf_member(l);
    if (m < after.size()) map[l] = after.leaf_ordinal(m);
  }
  return map;
}

bool Identity(const std::vector<LeafOrdinal>& map) {
  for (LeafOrdinal l = 0; l < map.size(); ++l)
    if (map[l] != l) return false;
  return true;
}

bool SameLayout(const KeyLayout& a, const KeyLayout& b) {
  if (a.dims() != b.dims() || a.inner_bits() != b.inner_bits()) return false;
  for (size_t d = 0; d < a.dims(); ++d)
    if (a.shift(d) != b.shift(d) || a.mask(d) != b.mask(d)) return false;
  return true;
}

}  // namespace

Result<std::shared_ptr<Cube>> Cube::WithDimensions(
    std::vector<std::shared_ptr<const Dimension>> dims, size_t* dropped) const {
  if (dropped) *dropped = 0;
  const Impl& from = *impl_;
  if (dims.size() != from.dims.size())
    return Status::Invalid("cube '" + from.name + "': " + std::to_string(dims.size()) +
                           " dimensions given for " + std::to_string(from.dims.size()));
  std::vector<std::vector<LeafOrdinal>> maps;
  bool unchanged = true;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (FoldCase(dims[d]->name()) != FoldCase(from.dims[d]->name()))
      return Status::Invalid("cube '" + from.name + "': dimension " + std::to_string(d) + " is '" +
                             from.dims[d]->name() + "', not '" + dims[d]->name() + "'");
    maps.push_back(LeafMap(*from.dims[d], *dims[d]));
    unchanged = unchanged && Identity(maps.back());
  }
  QA_ASSIGN_OR_RETURN(std::shared_ptr<Cube> to, Create(from.name, std::move(dims), from.options));
  Impl& into = *to->impl_;
  std::shared_lock lock(from.mu);
  if (unchanged && SameLayout(from.layout, into.layout)) {
    into.store.AdoptPartitions(from.store.partitions());
    return to;
  }
  std::vector<uint64_t> keys;
  std::vector<double> values;
  keys.reserve(from.store.atom_count());
  values.reserve(from.store.atom_count());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (const Partition& p : from.store.partitions()) {
    for (size_t i = 0; i < p.keys.size(); ++i) {
      from.layout.Unpack(from.store.Key(p, i), leaves);
      bool kept = true;
      for (size_t d = 0; d < maps.size() && kept; ++d) {
        const LeafOrdinal mapped = maps[d][leaves[d]];
        kept = mapped != kNotALeaf;
        if (!kept && !dropped)
          return Status::Precondition(
              "cube '" + from.name + "' holds atoms at '" +
              from.dims[d]->member_name(from.dims[d]->leaf_member(leaves[d])) +
              "', which is no longer a leaf of dimension '" + from.dims[d]->name() + "'");
        leaves[d] = mapped;
      }
      if (!kept) {
        ++*dropped;
        continue;
      }
      keys.push_back(into.layout.Pack(leaves));
      values.push_back(p.values[i]);
    }
  }
  lock.unlock();
  into.store.AdoptPartitions(
      BuildPartitions(std::move(keys), std::move(values), into.layout.inner_bits()).partitions);
  return to;
}

}  // namespace quantatom
