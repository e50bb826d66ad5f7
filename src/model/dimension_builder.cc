// DimensionBuilder: CSV-shaped rows (members, parent links, aliases,
// attributes) checked in the order they were given, then built through a
// DimensionDraft, the one way a Dimension is made.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "model/dimension_draft.h"

namespace quantatom {
namespace {

constexpr size_t kMemberNameBytesMax = 1024;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

Status Error(const std::string& dim, const std::string& what) {
  return Status::Invalid("dimension " + Quote(dim) + ": " + what);
}

}  // namespace

DimensionBuilder::DimensionBuilder(std::string name) : name_(std::move(name)) {}

void DimensionBuilder::AddMember(std::string_view name) { members_.emplace_back(name); }

void DimensionBuilder::AddLink(std::string_view member, std::string_view parent, double weight) {
  members_.emplace_back(member);
  links_.push_back({std::string(member), std::string(parent), weight});
}

void DimensionBuilder::AddAlias(std::string_view member, std::string_view alias) {
  aliases_.emplace_back(std::string(member), std::string(alias));
}

void DimensionBuilder::SetAttribute(std::string_view member, std::string_view attribute,
                                    AttributeValue value) {
  attributes_.push_back({std::string(member), std::string(attribute), std::move(value)});
}

namespace {

Status AddMembers(DimensionDraft& d, const std::vector<std::string>& members) {
  std::unordered_map<std::string, MemberId>& ids = d.lookup;  // folded name -> id
  for (const std::string& name : members) {
    if (name.empty()) return Error(d.name, "a member has an empty name");
    if (name.size() > kMemberNameBytesMax)
      return Error(d.name,
                   "member name longer than 1024 bytes: " + Quote(name.substr(0, 40) + "..."));
    auto it = ids.find(FoldCase(name));
    if (it == ids.end()) {
      d.Add(name);
    } else if (d.names[it->second] != name) {
      return Error(d.name, "duplicate member name " + Quote(name) + " (same as " +
                               Quote(d.names[it->second]) + " when case is ignored)");
    }
  }
  return Status::Ok();
}

template <typename Link>
Status AddLinks(DimensionDraft& d, const std::vector<Link>& links) {
  std::vector<bool> listed_as_root(d.size(), false);
  for (const Link& link : links) {
    MemberId child = *d.Find(link.member);
    if (link.parent.empty()) {
      if (listed_as_root[child])
        return Error(d.name, "member " + Quote(link.member) + " listed twice as a root");
      listed_as_root[child] = true;
      continue;
    }
    auto parent = d.Find(link.parent);
    if (!parent)
      return Error(d.name,
                   "member " + Quote(link.member) + " has unknown parent " + Quote(link.parent));
    if (!std::isfinite(link.weight))
      return Error(d.name, "member " + Quote(link.member) + " has a non-finite weight under " +
                               Quote(link.parent));
    for (const WeightedLink& p : d.parents[child]) {
      if (p.member == *parent)
        return Error(d.name, "member " + Quote(link.member) + " is linked twice to parent " +
                                 Quote(link.parent));
    }
    d.Link(child, *parent, link.weight);
  }
  for (MemberId m = 0; m < d.size(); ++m) {
    if (listed_as_root[m] && !d.parents[m].empty())
      return Error(d.name,
                   "member " + Quote(d.names[m]) + " is listed as a root and also has a parent");
  }
  return Status::Ok();
}

// Aliases share the name space of member names; an alias equal to the
// member's own name, or given twice, is kept once.
Status AddAliases(DimensionDraft& d,
                  const std::vector<std::pair<std::string, std::string>>& aliases) {
  std::unordered_map<std::string, MemberId>& taken = d.lookup;
  for (const auto& [member, alias] : aliases) {
    auto id = d.Find(member);
    if (!id)
      return Error(d.name, "alias " + Quote(alias) + " names unknown member " + Quote(member));
    if (alias.empty()) continue;
    auto [it, fresh] = taken.try_emplace(FoldCase(alias), *id);
    if (!fresh && it->second != *id)
      return Error(d.name, "alias " + Quote(alias) + " of member " + Quote(member) +
                               " is already the name or alias of " + Quote(d.names[it->second]));
    if (fresh) d.aliases[*id].push_back(alias);
  }
  return Status::Ok();
}

template <typename Attr>
Status AddAttributes(DimensionDraft& d, const std::vector<Attr>& attributes) {
  for (const Attr& a : attributes) {
    auto id = d.Find(a.member);
    if (!id)
      return Error(d.name,
                   "attribute " + Quote(a.attribute) + " names unknown member " + Quote(a.member));
    auto& slot = d.attributes[d.Attribute(a.attribute)][*id];
    if (slot && *slot != a.value)
      return Error(d.name, "member " + Quote(a.member) + " has two values for attribute " +
                               Quote(a.attribute));
    slot = a.value;
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Dimension>> DimensionBuilder::Build() && {
  if (name_.empty()) return Status::Invalid("a dimension needs a name");
  DimensionDraft d;
  d.name = name_;
  QA_RETURN_IF_ERROR(AddMembers(d, members_));
  QA_RETURN_IF_ERROR(AddLinks(d, links_));
  QA_RETURN_IF_ERROR(AddAliases(d, aliases_));
  QA_RETURN_IF_ERROR(AddAttributes(d, attributes_));
  return d.Build();
}

}  // namespace quantatom
