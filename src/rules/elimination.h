// Intercompany elimination, a built-in leaf rule (docs/rules.md):
//
//   leaf [Entity: {Elim Europe, Elim Group}, Account: Intercompany]
//       = ELIMINATE(Entity, Counterparty);
//
// Each counterparty leaf names an entity leaf (by its own name, or by a
// text attribute given as a third argument; other counterparties are third
// parties). An atom of entity e with counterparty c is eliminated at the
// first common parent p of e and c's entity along first parents: the
// elimination member of p (the area's entity leaf whose first parent is p)
// gets minus its value, at the same counterparty and other members. So p
// and its ancestors read the balance eliminated, and nothing below p does.
#pragma once

#include <vector>

#include "quantatom/dimension.h"
#include "rules/compiled.h"

namespace quantatom::rules {

struct Elimination {
  size_t entity_dim = 0, counterparty_dim = 0;
  std::shared_ptr<const Dimension> entity;
  // By entity member id: the elimination leaf of that parent (kNoMember: none).
  std::vector<MemberId> elimination_of;
  // By counterparty leaf ordinal: its entity's leaf ordinal (kNotALeaf: a third party).
  std::vector<LeafOrdinal> entity_of_counterparty;
  // By entity member id: the first parent (kNoMember: a root) and the
  // depth along first parents.
  std::vector<MemberId> first_parent;
  std::vector<int> depth;

  // The first common parent of two entity members along first parents
  // (kNoMember: none).
  MemberId CommonParent(MemberId a, MemberId b) const;
  // The elimination leaf (a leaf ordinal of the entity dimension) that
  // takes an atom of entity leaf `e` with counterparty leaf `c`; kNotALeaf
  // when the atom is not eliminated.
  LeafOrdinal TargetOf(LeafOrdinal e, LeafOrdinal c) const;
  // Every entity leaf whose atoms with counterparty leaf `c` the
  // elimination leaf `target` takes (empty when none).
  std::vector<LeafOrdinal> SourcesOf(LeafOrdinal target, LeafOrdinal c) const;
};

}  // namespace quantatom::rules
