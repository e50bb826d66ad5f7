// A dimension: an ordered set of named members arranged in weighted
// hierarchies. Immutable once built, so it can be shared by every cube and
// every reader without locks; a change to its members builds a new one.
//
// Member ids are stable across changes: a new member gets the next id, and
// a deleted member keeps its id as a tombstone (never reused) with its last
// name, so the log's older transactions, which name members by id, still
// read correctly.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "quantatom/status.h"

namespace quantatom {

using MemberId = uint32_t;     // index of a member in its dimension, in order of creation
using LeafOrdinal = uint32_t;  // dense index of a leaf among the leaves
inline constexpr LeafOrdinal kNotALeaf = UINT32_MAX;

struct WeightedLink {
  MemberId member;  // the parent (in parents()) or the child (in children())
  double weight;
};

// One leaf under a member with the summed product of path weights. A leaf
// reached by two paths counts once per path, so their weights add up.
struct LeafWeight {
  LeafOrdinal leaf;
  double weight;
};

using AttributeValue = std::variant<std::string, double>;

class Dimension {
 public:
  const std::string& name() const { return name_; }
  // Member ids are below size(): members and deleted ones (tombstones).
  size_t size() const { return names_.size(); }
  // Members that are not deleted.
  size_t member_count() const { return names_.size() - deleted_count_; }
  size_t leaf_count() const { return leaf_members_.size(); }

  // Looks up a member by name or alias, ASCII case-insensitively. Deleted
  // members are not found.
  std::optional<MemberId> Find(std::string_view name_or_alias) const;
  // A deleted member's name is its last one (the log's history names it).
  const std::string& member_name(MemberId m) const { return names_[m]; }
  // A deleted member has no links, aliases or attributes, is no leaf and
  // no root, and has level and depth 0.
  bool deleted(MemberId m) const { return deleted_[m]; }

  bool is_leaf(MemberId m) const { return leaf_ordinal_[m] != kNotALeaf; }
  LeafOrdinal leaf_ordinal(MemberId m) const { return leaf_ordinal_[m]; }
  MemberId leaf_member(LeafOrdinal leaf) const { return leaf_members_[leaf]; }

  // TM1 level: 0 for leaves, else 1 + the highest level of the children.
  int level(MemberId m) const { return levels_[m]; }
  // Distance from the nearest root (roots have depth 0).
  int depth(MemberId m) const { return depths_[m]; }
  int max_level() const { return max_level_; }

  std::span<const MemberId> roots() const { return roots_; }
  std::span<const WeightedLink> children(MemberId m) const;
  std::span<const WeightedLink> parents(MemberId m) const;

  // Leaves beneath `m` (a leaf: itself with weight 1), sorted by ordinal.
  std::span<const LeafWeight> leaf_weights(MemberId m) const;
  // Weight of `leaf` under `m`, or nullopt when the leaf is not beneath it.
  std::optional<double> WeightOf(MemberId m, LeafOrdinal leaf) const;

  std::span<const std::string> aliases(MemberId m) const;
  // Attribute names in declaration order and their per-member values.
  std::span<const std::string> attribute_names() const { return attribute_names_; }
  const std::optional<AttributeValue>& attribute(MemberId m, size_t attr) const {
    return attributes_[attr][m];
  }

 private:
  friend struct DimensionDraft;
  Dimension() = default;

  std::string name_;
  std::vector<std::string> names_;
  std::vector<bool> deleted_;
  size_t deleted_count_ = 0;
  std::vector<std::vector<std::string>> aliases_;
  std::unordered_map<std::string, MemberId> lookup_;  // folded name/alias -> id
  std::vector<LeafOrdinal> leaf_ordinal_;
  std::vector<MemberId> leaf_members_;
  std::vector<int> levels_, depths_;
  int max_level_ = 0;
  std::vector<MemberId> roots_;
  std::vector<uint32_t> child_begin_, parent_begin_;  // CSR offsets, size()+1
  std::vector<WeightedLink> child_links_, parent_links_;
  std::vector<uint32_t> leaf_weight_begin_;  // CSR offsets, size()+1
  std::vector<LeafWeight> leaf_weights_;
  std::vector<std::string> attribute_names_;
  std::vector<std::vector<std::optional<AttributeValue>>> attributes_;
};

// Collects members and links, then validates everything at once in Build():
// duplicate names or aliases, unknown parents, cycles and non-finite weights
// are rejected with the offending member named.
class DimensionBuilder {
 public:
  explicit DimensionBuilder(std::string name);

  // Adds the member if new; with a parent, adds a link (weight default +1).
  // A member listed again with another parent gains a second parent.
  void AddMember(std::string_view name);
  void AddLink(std::string_view member, std::string_view parent, double weight = 1.0);
  void AddAlias(std::string_view member, std::string_view alias);
  void SetAttribute(std::string_view member, std::string_view attribute, AttributeValue value);

  Result<std::shared_ptr<const Dimension>> Build() &&;

 private:
  struct PendingLink {
    std::string member, parent;
    double weight;
  };
  struct PendingAttr {
    std::string member, attribute;
    AttributeValue value;
  };
  std::string name_;
  std::vector<std::string> members_;
  std::vector<PendingLink> links_;
  std::vector<std::pair<std::string, std::string>> aliases_;
  std::vector<PendingAttr> attributes_;
};

// ASCII case folding used for every member lookup.
std::string FoldCase(std::string_view s);

}  // namespace quantatom
