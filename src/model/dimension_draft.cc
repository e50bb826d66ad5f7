// Validation and construction of an immutable Dimension from its draft.
#include "model/dimension_draft.h"

#include <algorithm>
#include <cmath>

namespace quantatom {
namespace {

constexpr size_t kMemberNameBytesMax = 1024;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

DimensionDraft DimensionDraft::Of(const Dimension& dim) {
  DimensionDraft d;
  d.name = dim.name_;
  d.names = dim.names_;
  d.deleted = dim.deleted_;
  d.aliases = dim.aliases_;
  d.attribute_names = dim.attribute_names_;
  d.attributes = dim.attributes_;
  d.children.resize(dim.size());
  d.parents.resize(dim.size());
  for (MemberId m = 0; m < dim.size(); ++m) {
    auto c = dim.children(m), p = dim.parents(m);
    d.children[m].assign(c.begin(), c.end());
    d.parents[m].assign(p.begin(), p.end());
  }
  d.lookup = dim.lookup_;
  return d;
}

std::optional<MemberId> DimensionDraft::Find(std::string_view name_or_alias) const {
  auto it = lookup.find(FoldCase(name_or_alias));
  if (it == lookup.end()) return std::nullopt;
  return it->second;
}

MemberId DimensionDraft::Add(std::string member) {
  const auto id = static_cast<MemberId>(names.size());
  lookup.try_emplace(FoldCase(member), id);
  names.push_back(std::move(member));
  deleted.push_back(false);
  children.emplace_back();
  parents.emplace_back();
  aliases.emplace_back();
  for (auto& values : attributes) values.emplace_back();
  return id;
}

void DimensionDraft::Reindex() {
  lookup.clear();
  for (MemberId m = 0; m < size(); ++m)
    if (!deleted[m]) lookup.try_emplace(FoldCase(names[m]), m);
  for (MemberId m = 0; m < size(); ++m)
    if (!deleted[m])
      for (const std::string& a : aliases[m]) lookup.try_emplace(FoldCase(a), m);
}

void DimensionDraft::Link(MemberId child, MemberId parent, double weight, size_t position) {
  auto& siblings = children[parent];
  siblings.insert(siblings.begin() + std::min(position, siblings.size()), {child, weight});
  parents[child].push_back({parent, weight});
}

bool DimensionDraft::Unlink(MemberId child, MemberId parent) {
  auto is = [](MemberId m) { return [m](const WeightedLink& l) { return l.member == m; }; };
  const size_t before = parents[child].size();
  std::erase_if(parents[child], is(parent));
  std::erase_if(children[parent], is(child));
  return parents[child].size() != before;
}

size_t DimensionDraft::Attribute(const std::string& attribute) {
  auto pos = std::find(attribute_names.begin(), attribute_names.end(), attribute);
  if (pos != attribute_names.end()) return pos - attribute_names.begin();
  attribute_names.push_back(attribute);
  attributes.emplace_back(size());
  return attribute_names.size() - 1;
}

namespace {

Status Error(const DimensionDraft& d, const std::string& what) {
  return Status::Invalid("dimension " + Quote(d.name) + ": " + what);
}

// Names and aliases unique among members not deleted; links finite, once
// per parent and between members not deleted.
Status CheckNamesAndLinks(const DimensionDraft& d) {
  std::unordered_map<std::string, MemberId> taken;
  for (MemberId m = 0; m < d.size(); ++m) {
    if (d.deleted[m]) {
      if (!d.children[m].empty() || !d.parents[m].empty())
        return Error(d, "deleted member " + Quote(d.names[m]) + " still has links");
      continue;
    }
    const std::string& name = d.names[m];
    if (name.empty()) return Error(d, "a member has an empty name");
    if (name.size() > kMemberNameBytesMax)
      return Error(d, "member name longer than 1024 bytes: " + Quote(name.substr(0, 40) + "..."));
    auto [it, fresh] = taken.try_emplace(FoldCase(name), m);
    if (!fresh)
      return Error(d, "duplicate member name " + Quote(name) + " (same as " +
                          Quote(d.names[it->second]) + " when case is ignored)");
    std::vector<MemberId> seen;
    for (const WeightedLink& p : d.parents[m]) {
      if (!std::isfinite(p.weight))
        return Error(d, "member " + Quote(name) + " has a non-finite weight under " +
                            Quote(d.names[p.member]));
      if (d.deleted[p.member])
        return Error(d, "member " + Quote(name) + " is linked to a deleted member");
      if (std::find(seen.begin(), seen.end(), p.member) != seen.end())
        return Error(
            d, "member " + Quote(name) + " is linked twice to parent " + Quote(d.names[p.member]));
      seen.push_back(p.member);
    }
  }
  for (MemberId m = 0; m < d.size(); ++m) {
    if (d.deleted[m]) continue;
    for (const std::string& alias : d.aliases[m]) {
      if (alias.empty()) return Error(d, "member " + Quote(d.names[m]) + " has an empty alias");
      auto [it, fresh] = taken.try_emplace(FoldCase(alias), m);
      if (!fresh && it->second != m)
        return Error(d, "alias " + Quote(alias) + " of member " + Quote(d.names[m]) +
                            " is already the name or alias of " + Quote(d.names[it->second]));
    }
  }
  return Status::Ok();
}

// Orders members children-before-parents; fails naming a cycle if any.
Result<std::vector<MemberId>> PostOrder(const DimensionDraft& d) {
  enum : uint8_t { kNew, kOpen, kDone };
  std::vector<uint8_t> state(d.size(), kNew);
  std::vector<MemberId> order;
  std::vector<std::pair<MemberId, size_t>> stack;  // member, next child index
  for (MemberId start = 0; start < d.size(); ++start) {
    if (state[start] != kNew || d.deleted[start]) continue;
    stack.push_back({start, 0});
    state[start] = kOpen;
    while (!stack.empty()) {
      auto& [m, next] = stack.back();
      if (next < d.children[m].size()) {
        MemberId c = d.children[m][next++].member;
        if (state[c] == kOpen) {
          std::string cycle = d.names[c];
          auto it = std::find_if(stack.begin(), stack.end(), [c](auto& e) { return e.first == c; });
          for (++it; it != stack.end(); ++it) cycle += " > " + d.names[it->first];
          return Error(d, "cycle in hierarchy: " + cycle + " > " + d.names[c]);
        }
        if (state[c] == kNew) {
          state[c] = kOpen;
          stack.push_back({c, 0});
        }
      } else {
        state[m] = kDone;
        order.push_back(m);
        stack.pop_back();
      }
    }
  }
  return order;
}

}  // namespace

Result<std::shared_ptr<const Dimension>> DimensionDraft::Build() const {
  if (name.empty()) return Status::Invalid("a dimension needs a name");
  QA_RETURN_IF_ERROR(CheckNamesAndLinks(*this));
  QA_ASSIGN_OR_RETURN(std::vector<MemberId> post_order, PostOrder(*this));

  std::shared_ptr<Dimension> dim(new Dimension());
  Dimension& out = *dim;
  const size_t n = size();
  out.name_ = name;
  out.names_ = names;
  out.deleted_ = deleted;
  out.deleted_count_ = static_cast<size_t>(std::count(deleted.begin(), deleted.end(), true));
  out.aliases_ = aliases;
  out.leaf_ordinal_.assign(n, kNotALeaf);
  for (MemberId m = 0; m < n; ++m) {
    if (deleted[m]) continue;
    if (children[m].empty()) {
      out.leaf_ordinal_[m] = static_cast<LeafOrdinal>(out.leaf_members_.size());
      out.leaf_members_.push_back(m);
    }
    if (parents[m].empty()) out.roots_.push_back(m);
  }
  // CSR adjacency.
  out.child_begin_.push_back(0);
  out.parent_begin_.push_back(0);
  for (MemberId m = 0; m < n; ++m) {
    out.child_links_.insert(out.child_links_.end(), children[m].begin(), children[m].end());
    out.parent_links_.insert(out.parent_links_.end(), parents[m].begin(), parents[m].end());
    out.child_begin_.push_back(static_cast<uint32_t>(out.child_links_.size()));
    out.parent_begin_.push_back(static_cast<uint32_t>(out.parent_links_.size()));
  }
  // Levels bottom-up, depths top-down (reverse post-order visits parents first).
  out.levels_.assign(n, 0);
  out.depths_.assign(n, 0);
  for (MemberId m : post_order) {
    for (const WeightedLink& c : children[m])
      out.levels_[m] = std::max(out.levels_[m], out.levels_[c.member] + 1);
    out.max_level_ = std::max(out.max_level_, out.levels_[m]);
  }
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    MemberId m = *it;
    if (parents[m].empty()) continue;
    int depth = INT32_MAX;
    for (const WeightedLink& p : parents[m]) depth = std::min(depth, out.depths_[p.member] + 1);
    out.depths_[m] = depth;
  }
  // Weighted leaf sets, children first; a leaf reached twice sums its paths.
  std::vector<std::vector<LeafWeight>> leaves(n);
  for (MemberId m : post_order) {
    if (out.is_leaf(m)) {
      leaves[m] = {{out.leaf_ordinal_[m], 1.0}};
      continue;
    }
    std::vector<LeafWeight>& mine = leaves[m];
    for (const WeightedLink& c : children[m])
      for (const LeafWeight& lw : leaves[c.member]) mine.push_back({lw.leaf, lw.weight * c.weight});
    std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.leaf < b.leaf; });
    size_t w = 0;
    for (size_t r = 0; r < mine.size(); ++r) {
      if (w > 0 && mine[w - 1].leaf == mine[r].leaf) {
        mine[w - 1].weight += mine[r].weight;
      } else {
        mine[w++] = mine[r];
      }
    }
    mine.resize(w);
  }
  out.leaf_weight_begin_.push_back(0);
  for (MemberId m = 0; m < n; ++m) {
    out.leaf_weights_.insert(out.leaf_weights_.end(), leaves[m].begin(), leaves[m].end());
    out.leaf_weight_begin_.push_back(static_cast<uint32_t>(out.leaf_weights_.size()));
    std::vector<LeafWeight>().swap(leaves[m]);
  }
  // Names first, then aliases (an alias equal to its member's own name is
  // found as the name).
  for (MemberId m = 0; m < n; ++m)
    if (!deleted[m]) out.lookup_.emplace(FoldCase(names[m]), m);
  for (MemberId m = 0; m < n; ++m)
    if (!deleted[m])
      for (const std::string& a : aliases[m]) out.lookup_.emplace(FoldCase(a), m);
  out.attribute_names_ = attribute_names;
  out.attributes_ = attributes;
  for (auto& values : out.attributes_) {
    values.resize(n);
    for (MemberId m = 0; m < n; ++m)
      if (deleted[m]) values[m].reset();
  }
  return std::shared_ptr<const Dimension>(std::move(dim));
}

}  // namespace quantatom
