// Changes to the members of a dimension, as Database::ChangeMember commits
// them: one logged transaction each, applied to the dimension and to every
// cube over it (docs/design/server.md, "Structure changes").
//
// The rule for data: a change that would make a leaf holding atoms stop
// being a leaf (deleting it, or giving it a child) is refused with
// kConflict, naming the count, unless `delete_data` says to delete those
// atoms; they are then removed in the same transaction, as deltas the
// change feed, cell history and undo see. Atoms never move to another
// member and are never dropped silently.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom {

struct ParentLink {
  std::string parent;  // name or alias
  double weight = 1.0;
};

// What happens to the children of a deleted consolidated member.
enum class ChildrenOfDeleted : uint8_t {
  // Each child takes the deleted member's place under each of its parents,
  // with the product of the two weights (summed with a link it already
  // has there), so every remaining total keeps its value. Under a deleted
  // root, the children become roots.
  kReparent = 0,
  // The children lose that parent; one left without parents becomes a root.
  kOrphan = 1,
};

struct MemberChange {
  enum class Kind : uint8_t { kAdd, kUpdate, kMove, kDelete };
  Kind kind = Kind::kAdd;
  std::string dimension;
  std::string member;  // name or alias; for kAdd the new member's name

  // kAdd: where the new member goes (none: a root). kMove: its new parents,
  // replacing the old ones (none: it becomes a root); a parent it keeps
  // keeps its place among that parent's children.
  std::vector<ParentLink> parents;
  // kAdd, and kUpdate when set: the aliases (kUpdate: replacing them all).
  std::optional<std::vector<std::string>> aliases;
  // kAdd and kUpdate: attribute values; nullopt removes the member's value
  // (kUpdate). A new attribute name adds the attribute to the dimension.
  std::vector<std::pair<std::string, std::optional<AttributeValue>>> attributes;
  // kUpdate: a new name (the member keeps its id).
  std::optional<std::string> new_name;
  // kDelete.
  ChildrenOfDeleted children = ChildrenOfDeleted::kReparent;
  // Delete the atoms of leaves that stop being leaves (see above).
  bool delete_data = false;
};

const char* MemberChangeKindName(MemberChange::Kind kind);  // "add", "update", "move", "delete"

// The atoms a structure change removes (or would remove, when refused).
struct StructureReport {
  size_t atoms = 0;
  std::vector<std::pair<std::string, size_t>> atoms_by_cube;  // cubes with any
};

}  // namespace quantatom
