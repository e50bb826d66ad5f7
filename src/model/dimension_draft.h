// The mutable form of a Dimension: members by id (deleted ones kept as
// tombstones, so ids never move), links in their order, aliases and
// attributes. DimensionBuilder fills one from CSV rows; a change to a
// member edits one made from the current dimension (DimensionDraft::Of);
// Build() validates it whole and makes the immutable Dimension.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom {

struct DimensionDraft {
  std::string name;
  std::vector<std::string> names;  // by id; a deleted member keeps its last name
  std::vector<bool> deleted;
  // By id, in order: children[p] gives p's children as its child order,
  // parents[c] c's parents. Each link is in both.
  std::vector<std::vector<WeightedLink>> children, parents;
  std::vector<std::vector<std::string>> aliases;  // by id
  std::vector<std::string> attribute_names;
  std::vector<std::vector<std::optional<AttributeValue>>> attributes;  // [attribute][member]
  // Folded name or alias -> id, of members not deleted: kept by Add and
  // Reindex (after renames, alias changes and deletions).
  std::unordered_map<std::string, MemberId> lookup;

  static DimensionDraft Of(const Dimension& dim);

  size_t size() const { return names.size(); }
  // A member by name or alias (ASCII case-insensitive), deleted ones not.
  std::optional<MemberId> Find(std::string_view name_or_alias) const;
  // Appends a member without links; returns its id.
  MemberId Add(std::string member);
  // Rebuilds `lookup`: names first, then aliases, the first holder winning.
  void Reindex();
  // Links `child` under `parent` at the end of its children (or at
  // `position` among them).
  void Link(MemberId child, MemberId parent, double weight, size_t position = SIZE_MAX);
  // Removes the link between them; false when there is none.
  bool Unlink(MemberId child, MemberId parent);
  // The index of an attribute by name, added when new.
  size_t Attribute(const std::string& attribute);

  // Checks names (not empty, at most 1024 bytes, unique with the aliases
  // ignoring ASCII case among members not deleted), weights (finite, one
  // link per parent) and cycles, each error naming the member; then builds.
  Result<std::shared_ptr<const Dimension>> Build() const;
};

}  // namespace quantatom
