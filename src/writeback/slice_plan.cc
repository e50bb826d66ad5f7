#include "writeback/slice_plan.h"

#include <algorithm>
#include <cmath>

namespace quantatom {
namespace {

Result<size_t> DimensionOf(const Cube& cube, const std::string& name, const char* where) {
  auto d = cube.DimensionIndex(name);
  if (!d)
    return Status::NotFound(std::string(where) + ": cube '" + cube.name() + "' has no dimension '" +
                            name + "'");
  return *d;
}

Result<MemberId> MemberOf(const Dimension& dim, const std::string& name, const char* where) {
  auto m = dim.Find(name);
  if (!m)
    return Status::NotFound(std::string(where) + ": unknown member '" + name + "' of dimension '" +
                            dim.name() + "'");
  return *m;
}

// Leaf flags per dimension for CopyAtoms (empty: every leaf).
std::vector<std::vector<bool>> KeepOf(const Cube& cube,
                                      const std::vector<std::optional<MemberId>>& members) {
  std::vector<std::vector<bool>> keep(members.size());
  for (size_t d = 0; d < members.size(); ++d) {
    if (!members[d]) continue;
    const Dimension& dim = *cube.dimensions()[d];
    keep[d].assign(dim.leaf_count(), false);
    for (const LeafWeight& lw : dim.leaf_weights(*members[d])) keep[d][lw.leaf] = true;
  }
  return keep;
}

Status CheckSize(size_t changes, const SpreadLimits& limits, const char* what) {
  if (changes <= limits.leaves_max) return Status::Ok();
  return Status::Limit(std::string(what) + " would change " + std::to_string(changes) +
                       " leaf cells; the limit is " + std::to_string(limits.leaves_max));
}

// Every copied atom must be readable.
Status CheckReadableAtoms(const Cube& cube, const Cube::AtomsCopy& atoms,
                          const CubeCellFilter& readable) {
  if (!readable) return Status::Ok();
  const auto& dims = cube.dimensions();
  LeafOrdinal leaves[kCubeDimensionsMax];
  MemberId members[kCubeDimensionsMax];
  for (uint64_t key : atoms.keys) {
    cube.UnpackKey(key, leaves);
    for (size_t d = 0; d < dims.size(); ++d) members[d] = dims[d]->leaf_member(leaves[d]);
    if (!readable(cube, {members, dims.size()}))
      return Status::Denied("the copy reads cell " + DescribeKey(cube, key) +
                            ", which you may not read");
  }
  return Status::Ok();
}

}  // namespace

std::vector<LeafChange> MergeChanges(const Cube::AtomsCopy& existing,
                                     const std::vector<std::pair<uint64_t, double>>& wanted,
                                     bool remove_rest) {
  std::vector<LeafChange> out;
  out.reserve(std::max(existing.keys.size(), wanted.size()));
  size_t i = 0, j = 0;
  while (i < existing.keys.size() || j < wanted.size()) {
    if (j == wanted.size() || (i < existing.keys.size() && existing.keys[i] < wanted[j].first)) {
      if (remove_rest) out.push_back({existing.keys[i], existing.values[i], std::nullopt});
      ++i;
    } else if (i == existing.keys.size() || wanted[j].first < existing.keys[i]) {
      out.push_back({wanted[j].first, std::nullopt, wanted[j].second});
      ++j;
    } else {
      if (existing.values[i] != wanted[j].second)
        out.push_back({existing.keys[i], existing.values[i], wanted[j].second});
      ++i, ++j;
    }
  }
  return out;
}

Result<std::vector<std::optional<MemberId>>> ResolveSlice(const Cube& cube, const Slice& slice) {
  std::vector<std::optional<MemberId>> out(cube.dimensions().size());
  for (const auto& [dim_name, member] : slice.members) {
    QA_ASSIGN_OR_RETURN(size_t d, DimensionOf(cube, dim_name, "slice"));
    if (out[d]) return Status::Invalid("slice: dimension '" + dim_name + "' is named twice");
    QA_ASSIGN_OR_RETURN(out[d], MemberOf(*cube.dimensions()[d], member, "slice"));
  }
  return out;
}

Result<std::vector<LeafChange>> PlanSliceCopy(const Cube& cube, const SliceCopy& copy,
                                              const SpreadLimits& limits,
                                              const WritebackAccess& access) {
  if (!std::isfinite(copy.factor)) return Status::Invalid("copy: the factor must be finite");
  if (copy.target.empty()) return Status::Invalid("copy: name at least one target member");
  QA_ASSIGN_OR_RETURN(auto source, ResolveSlice(cube, copy.source));
  const auto& dims = cube.dimensions();
  auto target = source;
  // Per mapped dimension, the target leaf of each source leaf.
  std::vector<std::vector<LeafOrdinal>> maps(dims.size());
  for (const auto& [dim_name, member] : copy.target) {
    QA_ASSIGN_OR_RETURN(size_t d, DimensionOf(cube, dim_name, "copy target"));
    if (!maps[d].empty())
      return Status::Invalid("copy target: dimension '" + dim_name + "' is named twice");
    QA_ASSIGN_OR_RETURN(MemberId to, MemberOf(*dims[d], member, "copy target"));
    if (!source[d])
      return Status::Invalid("copy: the source slice must name a member of dimension '" +
                             dims[d]->name() + "' to copy it to another");
    auto from_leaves = dims[d]->leaf_weights(*source[d]);
    auto to_leaves = dims[d]->leaf_weights(to);
    if (from_leaves.size() != to_leaves.size())
      return Status::Invalid("copy: '" + dims[d]->member_name(*source[d]) + "' has " +
                             std::to_string(from_leaves.size()) + " leaves, '" +
                             dims[d]->member_name(to) + "' has " +
                             std::to_string(to_leaves.size()) + ": they cannot be paired");
    maps[d].assign(dims[d]->leaf_count(), kNotALeaf);
    for (size_t i = 0; i < from_leaves.size(); ++i)
      maps[d][from_leaves[i].leaf] = to_leaves[i].leaf;
    target[d] = to;
  }
  // Both regions are read before anything is computed: a copy onto an
  // overlapping region copies the values as they were.
  Cube::AtomsCopy from = cube.CopyAtoms(KeepOf(cube, source));
  QA_RETURN_IF_ERROR(CheckReadableAtoms(cube, from, access.readable));
  Cube::AtomsCopy existing = cube.CopyAtoms(KeepOf(cube, target));
  QA_RETURN_IF_ERROR(CheckSize(from.keys.size() + existing.keys.size(), limits, "the copy"));
  std::vector<std::pair<uint64_t, double>> wanted(from.keys.size());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t i = 0; i < from.keys.size(); ++i) {
    cube.UnpackKey(from.keys[i], leaves);
    for (size_t d = 0; d < dims.size(); ++d)
      if (!maps[d].empty()) leaves[d] = maps[d][leaves[d]];
    wanted[i] = {cube.PackLeaves(leaves), from.values[i] * copy.factor};
  }
  if (!std::is_sorted(wanted.begin(), wanted.end())) std::sort(wanted.begin(), wanted.end());
  std::vector<LeafChange> changes = MergeChanges(existing, wanted, copy.replace);
  QA_RETURN_IF_ERROR(CheckWritable(cube, changes, access.writable, "the copy"));
  return changes;
}

Result<std::vector<LeafChange>> PlanSliceClear(const Cube& cube, const Slice& slice,
                                               const SpreadLimits& limits,
                                               const WritebackAccess& access) {
  QA_ASSIGN_OR_RETURN(auto members, ResolveSlice(cube, slice));
  Cube::AtomsCopy existing = cube.CopyAtoms(KeepOf(cube, members));
  QA_RETURN_IF_ERROR(CheckSize(existing.keys.size(), limits, "the clear"));
  std::vector<LeafChange> changes = MergeChanges(existing, {}, true);
  QA_RETURN_IF_ERROR(CheckWritable(cube, changes, access.writable, "the clear"));
  return changes;
}

}  // namespace quantatom
