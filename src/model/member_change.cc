#include "model/member_change.h"

#include <algorithm>
#include <cmath>

#include "model/dimension_draft.h"

namespace quantatom {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Of(const DimensionDraft& d) { return " of dimension " + Quote(d.name); }

Result<MemberId> Existing(const DimensionDraft& d, const std::string& name) {
  auto m = d.Find(name);
  if (!m) return Status::NotFound("unknown member " + Quote(name) + Of(d));
  return *m;
}

// A name or alias no other member holds (its own may be given again).
Status Free(const DimensionDraft& d, const std::string& name, std::optional<MemberId> self,
            const char* what) {
  auto holder = d.Find(name);
  if (holder && holder != self)
    return Status::AlreadyExists(std::string(what) + " " + Quote(name) +
                                 " is already the name or " + "alias of member " +
                                 Quote(d.names[*holder]) + Of(d));
  return Status::Ok();
}

struct ResolvedParent {
  MemberId member;
  double weight;
};

Result<std::vector<ResolvedParent>> Resolve(const DimensionDraft& d,
                                            const std::vector<ParentLink>& parents) {
  std::vector<ResolvedParent> out;
  for (const ParentLink& p : parents) {
    auto m = d.Find(p.parent);
    if (!m) return Status::NotFound("unknown parent " + Quote(p.parent) + Of(d));
    if (!std::isfinite(p.weight))
      return Status::Invalid("the weight under " + Quote(p.parent) + " is not a finite number");
    for (const ResolvedParent& seen : out)
      if (seen.member == *m)
        return Status::Invalid("parent " + Quote(d.names[*m]) + " is given twice");
    out.push_back({*m, p.weight});
  }
  return out;
}

// Aliases without empty ones, without the member's own name and without
// repeats (ignoring case), each free.
Result<std::vector<std::string>> Aliases(const DimensionDraft& d,
                                         const std::vector<std::string>& in,
                                         const std::string& own_name,
                                         std::optional<MemberId> self) {
  std::vector<std::string> out;
  std::vector<std::string> folded{FoldCase(own_name)};
  for (const std::string& a : in) {
    if (a.empty()) return Status::Invalid("an alias is empty");
    if (std::find(folded.begin(), folded.end(), FoldCase(a)) != folded.end()) continue;
    QA_RETURN_IF_ERROR(Free(d, a, self, "alias"));
    folded.push_back(FoldCase(a));
    out.push_back(a);
  }
  return out;
}

void SetAttributes(DimensionDraft& d, MemberId m, const MemberChange& change) {
  for (const auto& [attribute, value] : change.attributes) {
    if (!value && std::find(d.attribute_names.begin(), d.attribute_names.end(), attribute) ==
                      d.attribute_names.end())
      continue;  // removing a value nobody has
    d.attributes[d.Attribute(attribute)][m] = value;
  }
}

Status Add(DimensionDraft& d, const MemberChange& change) {
  QA_RETURN_IF_ERROR(Free(d, change.member, std::nullopt, "member name"));
  QA_ASSIGN_OR_RETURN(auto parents, Resolve(d, change.parents));
  QA_ASSIGN_OR_RETURN(auto aliases, Aliases(d, change.aliases.value_or(std::vector<std::string>{}),
                                            change.member, std::nullopt));
  const MemberId m = d.Add(change.member);
  for (const ResolvedParent& p : parents) d.Link(m, p.member, p.weight);
  d.aliases[m] = std::move(aliases);
  SetAttributes(d, m, change);
  d.Reindex();
  return Status::Ok();
}

Status Update(DimensionDraft& d, const MemberChange& change) {
  QA_ASSIGN_OR_RETURN(MemberId m, Existing(d, change.member));
  if (change.new_name) {
    QA_RETURN_IF_ERROR(Free(d, *change.new_name, m, "member name"));
    d.names[m] = *change.new_name;
  }
  if (change.aliases) {
    QA_ASSIGN_OR_RETURN(d.aliases[m], Aliases(d, *change.aliases, d.names[m], m));
  } else {
    // The new name may have been one of its aliases: kept once, as the name.
    std::erase_if(d.aliases[m],
                  [&](const std::string& a) { return FoldCase(a) == FoldCase(d.names[m]); });
  }
  SetAttributes(d, m, change);
  d.Reindex();
  return Status::Ok();
}

// Whether `target` is `m` or lies beneath it.
bool AtOrBelow(const DimensionDraft& d, MemberId m, MemberId target) {
  std::vector<MemberId> stack{m};
  std::vector<bool> seen(d.size(), false);
  while (!stack.empty()) {
    MemberId x = stack.back();
    stack.pop_back();
    if (x == target) return true;
    if (seen[x]) continue;
    seen[x] = true;
    for (const WeightedLink& c : d.children[x]) stack.push_back(c.member);
  }
  return false;
}

Status Move(DimensionDraft& d, const MemberChange& change) {
  QA_ASSIGN_OR_RETURN(MemberId m, Existing(d, change.member));
  QA_ASSIGN_OR_RETURN(auto parents, Resolve(d, change.parents));
  for (const ResolvedParent& p : parents)
    if (AtOrBelow(d, m, p.member))
      return Status::Precondition("moving " + Quote(d.names[m]) + " under " +
                                  Quote(d.names[p.member]) +
                                  " would make a cycle: " + Quote(d.names[p.member]) + " is " +
                                  (p.member == m ? "the member itself" : "beneath it"));
  auto kept = [&](MemberId parent) {
    return std::find_if(parents.begin(), parents.end(),
                        [&](const ResolvedParent& p) { return p.member == parent; });
  };
  for (const WeightedLink& old : std::vector<WeightedLink>(d.parents[m]))
    if (kept(old.member) == parents.end()) d.Unlink(m, old.member);
  for (const ResolvedParent& p : parents) {
    auto& up = d.parents[m];
    auto link = std::find_if(up.begin(), up.end(), [&](auto& l) { return l.member == p.member; });
    if (link == up.end()) {
      d.Link(m, p.member, p.weight);
      continue;
    }
    link->weight = p.weight;  // kept in place, new weight
    for (WeightedLink& c : d.children[p.member])
      if (c.member == m) c.weight = p.weight;
  }
  return Status::Ok();
}

// The child `c` (weight `wc` under the deleted member) takes its place
// under `p` at `position`, or adds to a link it already has there; true
// when it was inserted.
bool Reparent(DimensionDraft& d, MemberId c, double wc, MemberId p, double wp, size_t position) {
  for (WeightedLink& up : d.parents[c]) {
    if (up.member != p) continue;
    up.weight += wc * wp;
    for (WeightedLink& down : d.children[p])
      if (down.member == c) down.weight = up.weight;
    return false;
  }
  d.Link(c, p, wc * wp, position);
  return true;
}

Status Delete(DimensionDraft& d, const MemberChange& change) {
  QA_ASSIGN_OR_RETURN(MemberId m, Existing(d, change.member));
  if (std::count(d.deleted.begin(), d.deleted.end(), false) == 1)
    return Status::Precondition("member " + Quote(d.names[m]) + " is the last member" + Of(d) +
                                "; delete the dimension instead");
  const std::vector<WeightedLink> children = d.children[m], parents = d.parents[m];
  for (const WeightedLink& c : children) d.Unlink(c.member, m);
  if (change.children == ChildrenOfDeleted::kReparent) {
    for (const WeightedLink& p : parents) {
      auto& siblings = d.children[p.member];
      size_t position =
          std::find_if(siblings.begin(), siblings.end(), [&](auto& l) { return l.member == m; }) -
          siblings.begin();
      for (const WeightedLink& c : children)
        position += Reparent(d, c.member, c.weight, p.member, p.weight, position);
    }
  }
  for (const WeightedLink& p : parents) d.Unlink(m, p.member);
  d.deleted[m] = true;
  d.aliases[m].clear();
  d.Reindex();
  return Status::Ok();
}

}  // namespace

const char* MemberChangeKindName(MemberChange::Kind kind) {
  switch (kind) {
    case MemberChange::Kind::kAdd:
      return "add";
    case MemberChange::Kind::kUpdate:
      return "update";
    case MemberChange::Kind::kMove:
      return "move";
    case MemberChange::Kind::kDelete:
      return "delete";
  }
  return "unknown";
}

Result<std::shared_ptr<const Dimension>> ApplyMemberChange(const Dimension& dim,
                                                           const MemberChange& change) {
  DimensionDraft d = DimensionDraft::Of(dim);
  switch (change.kind) {
    case MemberChange::Kind::kAdd:
      QA_RETURN_IF_ERROR(Add(d, change));
      break;
    case MemberChange::Kind::kUpdate:
      QA_RETURN_IF_ERROR(Update(d, change));
      break;
    case MemberChange::Kind::kMove:
      QA_RETURN_IF_ERROR(Move(d, change));
      break;
    case MemberChange::Kind::kDelete:
      QA_RETURN_IF_ERROR(Delete(d, change));
      break;
  }
  return d.Build();
}

std::vector<MemberId> LeavesLost(const Dimension& before, const Dimension& after) {
  std::vector<MemberId> out;
  for (LeafOrdinal l = 0; l < before.leaf_count(); ++l) {
    MemberId m = before.leaf_member(l);
    if (m >= after.size() || !after.is_leaf(m)) out.push_back(m);
  }
  return out;
}

}  // namespace quantatom
