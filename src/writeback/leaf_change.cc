#include "writeback/leaf_change.h"

#include <algorithm>
#include <cstdio>

namespace quantatom {

void NormalizeChanges(std::vector<LeafChange>& changes) {
  std::sort(changes.begin(), changes.end(),
            [](const LeafChange& a, const LeafChange& b) { return a.key < b.key; });
  std::erase_if(changes, [](const LeafChange& c) { return c.old_value == c.new_value; });
}

AtomDeltas DeltasOf(const Cube& cube, const std::vector<LeafChange>& changes) {
  const auto& dims = cube.dimensions();
  AtomDeltas deltas(dims.size());
  deltas.Reserve(changes.size());
  LeafOrdinal leaves[kCubeDimensionsMax];
  MemberId members[kCubeDimensionsMax];
  for (const LeafChange& c : changes) {
    cube.UnpackKey(c.key, leaves);
    for (size_t d = 0; d < dims.size(); ++d) members[d] = dims[d]->leaf_member(leaves[d]);
    deltas.Add(members, c.old_value, c.new_value);
  }
  return deltas;
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
