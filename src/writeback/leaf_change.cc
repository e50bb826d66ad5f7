#include "writeback/leaf_change.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdio>

namespace quantatom {

void NormalizeChanges(std::vector<LeafChange>& changes) {
  auto by_key = [](const LeafChange& a, const LeafChange& b) { return a.key < b.key; };
  if (!std::is_sorted(changes.begin(), changes.end(), by_key))
    std::sort(changes.begin(), changes.end(), by_key);
  std::erase_if(changes, [](const LeafChange& c) { return c.old_value == c.new_value; });
}

AtomDeltas DeltasOf(const Cube& cube, const std::vector<LeafChange>& changes) {
  const auto& dims = cube.dimensions();
  const size_t n = changes.size(), nd = dims.size();
  std::vector<MemberId> members(n * nd);
  std::vector<uint8_t> flags(n);
  std::vector<double> old_values(n), new_values(n);
  bool any_old = false, any_new = false;
  for (const LeafChange& c : changes) {
    any_old |= c.old_value.has_value();
    any_new |= c.new_value.has_value();
  }
  // A copy of millions of atoms: the columns are filled in parallel.
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 1 << 14), [&](const auto& r) {
    LeafOrdinal leaves[kCubeDimensionsMax];
    for (size_t i = r.begin(); i < r.end(); ++i) {
      const LeafChange& c = changes[i];
      cube.UnpackKey(c.key, leaves);
      for (size_t d = 0; d < nd; ++d) members[i * nd + d] = dims[d]->leaf_member(leaves[d]);
      flags[i] = (c.old_value ? AtomDeltas::kHasOld : 0) | (c.new_value ? AtomDeltas::kHasNew : 0);
      old_values[i] = c.old_value.value_or(0);
      new_values[i] = c.new_value.value_or(0);
    }
  });
  if (!any_old) old_values.clear();
  if (!any_new) new_values.clear();
  return AtomDeltas::FromColumns(nd, std::move(members), std::move(flags), std::move(old_values),
                                 std::move(new_values));
}

std::vector<uint8_t> LeafFlagsOf(const Dimension& dim, MemberId member) {
  std::vector<uint8_t> flags(dim.leaf_count(), 0);
  for (const LeafWeight& lw : dim.leaf_weights(member)) flags[lw.leaf] = 1;
  return flags;
}

Status CheckWritable(const Cube& cube, const std::vector<LeafChange>& changes,
                     const CellFilter& writable, const std::string& what) {
  if (!writable) return Status::Ok();
  const auto& dims = cube.dimensions();
  LeafOrdinal leaves[kCubeDimensionsMax];
  MemberId members[kCubeDimensionsMax];
  std::vector<std::string> refused;
  size_t count = 0;
  for (const LeafChange& c : changes) {
    cube.UnpackKey(c.key, leaves);
    for (size_t d = 0; d < dims.size(); ++d) members[d] = dims[d]->leaf_member(leaves[d]);
    if (writable({members, dims.size()})) continue;
    if (++count <= 10) refused.push_back(DescribeKey(cube, c.key));
  }
  if (count == 0) return Status::Ok();
  std::string msg =
      what + " would change " + std::to_string(count) + " cell(s) you may not write: ";
  for (size_t i = 0; i < refused.size(); ++i) msg += (i ? ", " : "") + refused[i];
  if (count > refused.size()) msg += ", ...";
  return Status::Denied(msg);
}

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string DescribeCell(const Cube& cube, const Coordinate& cell) {
  std::string out = "(";
  for (size_t d = 0; d < cell.size(); ++d)
    out += (d ? ", " : "") + cube.dimensions()[d]->member_name(cell[d]);
  return out + ")";
}

std::string DescribeKey(const Cube& cube, uint64_t key) {
  const auto& dims = cube.dimensions();
  LeafOrdinal leaves[kCubeDimensionsMax];
  cube.UnpackKey(key, leaves);
  Coordinate cell(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) cell[d] = dims[d]->leaf_member(leaves[d]);
  return DescribeCell(cube, cell);
}

}  // namespace quantatom
