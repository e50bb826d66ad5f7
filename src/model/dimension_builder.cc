// Validation and construction of an immutable Dimension.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "quantatom/dimension.h"

namespace quantatom {
namespace {

constexpr size_t kMemberNameBytesMax = 1024;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

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

// The state Build() needs while it validates; turned into a Dimension last.
struct Draft {
  std::string dim;
  std::vector<std::string> names;
  std::unordered_map<std::string, MemberId> ids;  // folded name -> id
  std::vector<std::vector<WeightedLink>> children, parents;

  Status Error(const std::string& what) const {
    return Status::Invalid("dimension " + Quote(dim) + ": " + what);
  }
  std::optional<MemberId> Id(std::string_view name) const {
    auto it = ids.find(FoldCase(name));
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
};

Status AddMembers(Draft& d, const std::vector<std::string>& members) {
  for (const std::string& name : members) {
    if (name.empty()) return d.Error("a member has an empty name");
    if (name.size() > kMemberNameBytesMax)
      return d.Error("member name longer than 1024 bytes: " + Quote(name.substr(0, 40) + "..."));
    auto [it, fresh] = d.ids.try_emplace(FoldCase(name), static_cast<MemberId>(d.names.size()));
    if (fresh) {
      d.names.push_back(name);
    } else if (d.names[it->second] != name) {
      return d.Error("duplicate member name " + Quote(name) + " (same as " +
                     Quote(d.names[it->second]) + " when case is ignored)");
    }
  }
  d.children.resize(d.names.size());
  d.parents.resize(d.names.size());
  return Status::Ok();
}

template <typename Link>
Status AddLinks(Draft& d, const std::vector<Link>& links) {
  std::vector<bool> listed_as_root(d.names.size(), false);
  for (const Link& link : links) {
    MemberId child = *d.Id(link.member);
    if (link.parent.empty()) {
      if (listed_as_root[child])
        return d.Error("member " + Quote(link.member) + " listed twice as a root");
      listed_as_root[child] = true;
      continue;
    }
    auto parent = d.Id(link.parent);
    if (!parent)
      return d.Error("member " + Quote(link.member) + " has unknown parent " + Quote(link.parent));
    if (!std::isfinite(link.weight))
      return d.Error("member " + Quote(link.member) + " has a non-finite weight under " +
                     Quote(link.parent));
    for (const WeightedLink& p : d.parents[child]) {
      if (p.member == *parent)
        return d.Error("member " + Quote(link.member) + " is linked twice to parent " +
                       Quote(link.parent));
    }
    d.parents[child].push_back({*parent, link.weight});
    d.children[*parent].push_back({child, link.weight});
  }
  for (MemberId m = 0; m < d.names.size(); ++m) {
    if (listed_as_root[m] && !d.parents[m].empty())
      return d.Error("member " + Quote(d.names[m]) + " is listed as a root and also has a parent");
  }
  return Status::Ok();
}

// Orders members children-before-parents; fails naming a cycle if any.
Result<std::vector<MemberId>> PostOrder(const Draft& d) {
  enum : uint8_t { kNew, kOpen, kDone };
  std::vector<uint8_t> state(d.names.size(), kNew);
  std::vector<MemberId> order, path;
  std::vector<std::pair<MemberId, size_t>> stack;  // member, next child index
  for (MemberId start = 0; start < d.names.size(); ++start) {
    if (state[start] != kNew) continue;
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
          return d.Error("cycle in hierarchy: " + cycle + " > " + d.names[c]);
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

Result<std::shared_ptr<const Dimension>> DimensionBuilder::Build() && {
  Draft d;
  d.dim = name_;
  if (name_.empty()) return Status::Invalid("a dimension needs a name");
  QA_RETURN_IF_ERROR(AddMembers(d, members_));
  QA_RETURN_IF_ERROR(AddLinks(d, links_));
  QA_ASSIGN_OR_RETURN(std::vector<MemberId> post_order, PostOrder(d));

  std::shared_ptr<Dimension> dim(new Dimension());
  Dimension& out = *dim;
  const size_t n = d.names.size();
  out.name_ = name_;
  out.names_ = d.names;
  out.lookup_ = d.ids;
  out.aliases_.resize(n);
  out.leaf_ordinal_.assign(n, kNotALeaf);
  for (MemberId m = 0; m < n; ++m) {
    if (d.children[m].empty()) {
      out.leaf_ordinal_[m] = static_cast<LeafOrdinal>(out.leaf_members_.size());
      out.leaf_members_.push_back(m);
    }
    if (d.parents[m].empty()) out.roots_.push_back(m);
  }
  // CSR adjacency.
  out.child_begin_.push_back(0);
  out.parent_begin_.push_back(0);
  for (MemberId m = 0; m < n; ++m) {
    out.child_links_.insert(out.child_links_.end(), d.children[m].begin(), d.children[m].end());
    out.parent_links_.insert(out.parent_links_.end(), d.parents[m].begin(), d.parents[m].end());
    out.child_begin_.push_back(static_cast<uint32_t>(out.child_links_.size()));
    out.parent_begin_.push_back(static_cast<uint32_t>(out.parent_links_.size()));
  }
  // Levels bottom-up, depths top-down (reverse post-order visits parents first).
  out.levels_.assign(n, 0);
  out.depths_.assign(n, 0);
  for (MemberId m : post_order) {
    for (const WeightedLink& c : d.children[m])
      out.levels_[m] = std::max(out.levels_[m], out.levels_[c.member] + 1);
    out.max_level_ = std::max(out.max_level_, out.levels_[m]);
  }
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    MemberId m = *it;
    if (d.parents[m].empty()) continue;
    int depth = INT32_MAX;
    for (const WeightedLink& p : d.parents[m]) depth = std::min(depth, out.depths_[p.member] + 1);
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
    for (const WeightedLink& c : d.children[m])
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
  // Aliases share the name space of member names.
  for (const auto& [member, alias] : aliases_) {
    auto id = d.Id(member);
    if (!id) return d.Error("alias " + Quote(alias) + " names unknown member " + Quote(member));
    if (alias.empty()) continue;
    auto [it, fresh] = out.lookup_.try_emplace(FoldCase(alias), *id);
    if (!fresh && it->second != *id)
      return d.Error("alias " + Quote(alias) + " of member " + Quote(member) +
                     " is already the name or alias of " + Quote(out.names_[it->second]));
    if (fresh) out.aliases_[*id].push_back(alias);
  }
  for (const PendingAttr& a : attributes_) {
    auto id = d.Id(a.member);
    if (!id)
      return d.Error("attribute " + Quote(a.attribute) + " names unknown member " +
                     Quote(a.member));
    auto pos = std::find(out.attribute_names_.begin(), out.attribute_names_.end(), a.attribute);
    size_t index = pos - out.attribute_names_.begin();
    if (pos == out.attribute_names_.end()) {
      out.attribute_names_.push_back(a.attribute);
      out.attributes_.emplace_back(n);
    }
    auto& slot = out.attributes_[index][*id];
    if (slot && *slot != a.value)
      return d.Error("member " + Quote(a.member) + " has two values for attribute " +
                     Quote(a.attribute));
    slot = a.value;
  }
  return std::shared_ptr<const Dimension>(std::move(dim));
}

}  // namespace quantatom
