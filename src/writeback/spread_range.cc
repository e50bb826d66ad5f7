#include "writeback/spread_range.h"

#include <algorithm>
#include <map>
#include <set>

#include "writeback/leaf_change.h"

namespace quantatom {
namespace {

// How member x of a dimension stands to member y.
enum class Relation : uint8_t { kSame, kDisjoint, kBeneath, kAbove, kOverlap };

class MemberRelations {
 public:
  explicit MemberRelations(const Dimension& dim) : dim_(dim) {}

  Relation Of(MemberId x, MemberId y) {
    if (x == y) return Relation::kSame;
    const bool x_leaf = dim_.is_leaf(x), y_leaf = dim_.is_leaf(y);
    if (x_leaf && y_leaf) return Relation::kDisjoint;
    if (x_leaf) return Flags(y)[dim_.leaf_ordinal(x)] ? Relation::kBeneath : Relation::kDisjoint;
    if (y_leaf) return Flags(x)[dim_.leaf_ordinal(y)] ? Relation::kAbove : Relation::kDisjoint;
    const auto& fx = Flags(x);
    const auto& fy = Flags(y);
    bool shared = false, x_only = false, y_only = false;
    for (size_t l = 0; l < fx.size(); ++l) {
      shared |= fx[l] && fy[l];
      x_only |= fx[l] && !fy[l];
      y_only |= fy[l] && !fx[l];
    }
    if (!shared) return Relation::kDisjoint;
    if (!x_only && !y_only) {  // the same leaves: a parent with one child, or two rollups
      if (dim_.level(x) == dim_.level(y)) return Relation::kOverlap;
      return dim_.level(x) > dim_.level(y) ? Relation::kAbove : Relation::kBeneath;
    }
    if (!x_only) return Relation::kBeneath;
    if (!y_only) return Relation::kAbove;
    return Relation::kOverlap;
  }

 private:
  const std::vector<uint8_t>& Flags(MemberId m) {
    auto it = flags_.find(m);
    if (it == flags_.end()) it = flags_.emplace(m, LeafFlagsOf(dim_, m)).first;
    return it->second;
  }
  const Dimension& dim_;
  std::map<MemberId, std::vector<uint8_t>> flags_;
};

Status CheckCell(const Cube& cube, const Coordinate& cell, size_t index) {
  const auto& dims = cube.dimensions();
  if (cell.size() != dims.size())
    return Status::Invalid("range cell #" + std::to_string(index + 1) + " needs " +
                           std::to_string(dims.size()) + " members, got " +
                           std::to_string(cell.size()));
  for (size_t d = 0; d < dims.size(); ++d)
    if (cell[d] >= dims[d]->size())
      return Status::NotFound("range cell #" + std::to_string(index + 1) + ": member id " +
                              std::to_string(cell[d]) + " is not in dimension '" + dims[d]->name() +
                              "'");
  return Status::Ok();
}

// True when some dimension has two different members that share leaves:
// only then can two cells of the range overlap without being equal.
bool MembersRelate(const std::vector<Coordinate>& cells, std::vector<MemberRelations>& rel) {
  for (size_t d = 0; d < rel.size(); ++d) {
    std::set<MemberId> distinct;
    for (const Coordinate& c : cells) distinct.insert(c[d]);
    std::vector<MemberId> members(distinct.begin(), distinct.end());
    for (size_t i = 0; i < members.size(); ++i)
      for (size_t j = i + 1; j < members.size(); ++j)
        if (rel[d].Of(members[i], members[j]) != Relation::kDisjoint) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<Coordinate>> NormalizeRange(const Cube& cube,
                                               const std::vector<Coordinate>& cells,
                                               size_t cells_max) {
  if (cells.empty()) return Status::Invalid("a spread needs at least one target cell");
  if (cells.size() > cells_max)
    return Status::Limit("the range has " + std::to_string(cells.size()) + " cells; the limit is " +
                         std::to_string(cells_max));
  std::vector<Coordinate> unique;
  std::set<Coordinate> seen;
  for (size_t i = 0; i < cells.size(); ++i) {
    QA_RETURN_IF_ERROR(CheckCell(cube, cells[i], i));
    if (seen.insert(cells[i]).second) unique.push_back(cells[i]);
  }
  std::vector<MemberRelations> rel;
  for (const auto& dim : cube.dimensions()) rel.emplace_back(*dim);
  if (!MembersRelate(unique, rel)) return unique;
  constexpr size_t kPairwiseCellsMax = 5000;
  if (unique.size() > kPairwiseCellsMax)
    return Status::Limit("a range of more than " + std::to_string(kPairwiseCellsMax) +
                         " cells must not mix members with their ancestors");
  std::vector<bool> above_another(unique.size(), false);
  for (size_t a = 0; a < unique.size(); ++a) {
    for (size_t b = a + 1; b < unique.size(); ++b) {
      bool disjoint = false, a_below = true, b_below = true;
      for (size_t d = 0; d < rel.size() && !disjoint; ++d) {
        Relation r = rel[d].Of(unique[a][d], unique[b][d]);
        disjoint = r == Relation::kDisjoint;
        a_below = a_below && (r == Relation::kSame || r == Relation::kBeneath);
        b_below = b_below && (r == Relation::kSame || r == Relation::kAbove);
      }
      if (disjoint) continue;
      if (a_below) {
        above_another[b] = true;
      } else if (b_below) {
        above_another[a] = true;
      } else {
        return Status::Invalid("cells " + DescribeCell(cube, unique[a]) + " and " +
                               DescribeCell(cube, unique[b]) +
                               " of the range share leaves without one lying beneath the other");
      }
    }
  }
  std::vector<Coordinate> out;
  for (size_t i = 0; i < unique.size(); ++i)
    if (!above_another[i]) out.push_back(std::move(unique[i]));
  return out;
}

}  // namespace quantatom
