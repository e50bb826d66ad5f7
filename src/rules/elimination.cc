#include "rules/elimination.h"

namespace quantatom::rules {

MemberId Elimination::CommonParent(MemberId a, MemberId b) const {
  while (a != kNoMember && b != kNoMember && a != b) {
    if (depth[a] >= depth[b]) {
      a = first_parent[a];
    } else {
      b = first_parent[b];
    }
  }
  return a == b ? a : kNoMember;
}

LeafOrdinal Elimination::TargetOf(LeafOrdinal e, LeafOrdinal c) const {
  const LeafOrdinal partner = entity_of_counterparty[c];
  if (partner == kNotALeaf || partner == e) return kNotALeaf;
  const MemberId em = entity->leaf_member(e);
  if (elimination_of.size() > em && first_parent[em] != kNoMember &&
      elimination_of[first_parent[em]] == em)
    return kNotALeaf;  // an elimination leaf itself
  const MemberId p = CommonParent(em, entity->leaf_member(partner));
  if (p == kNoMember || elimination_of[p] == kNoMember) return kNotALeaf;
  return entity->leaf_ordinal(elimination_of[p]);
}

std::vector<LeafOrdinal> Elimination::SourcesOf(LeafOrdinal target, LeafOrdinal c) const {
  std::vector<LeafOrdinal> out;
  for (LeafOrdinal e = 0; e < entity->leaf_count(); ++e)
    if (TargetOf(e, c) == target) out.push_back(e);
  return out;
}

}  // namespace quantatom::rules
