// Member names of one fact column to members: exact spelling first (a
// hash lookup), then the dimension's case-insensitive lookup. The CSV and
// columnar fact parsers share it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "quantatom/dimension.h"
#include "quantatom/load.h"

namespace quantatom {

struct ColumnResolver {
  const Dimension* dim = nullptr;
  size_t cube_dim = 0;
  std::unordered_map<std::string_view, MemberId> exact;

  // Members `visible` refuses (LoadOptions::member_visible) are unknown.
  ColumnResolver(const Dimension& d, size_t index,
                 const std::function<bool(size_t, MemberId)>& visible)
      : dim(&d), cube_dim(index) {
    for (MemberId m = 0; m < d.size(); ++m) {
      if (d.deleted(m) || (visible && !visible(index, m))) continue;
      exact.emplace(d.member_name(m), m);
      for (const std::string& a : d.aliases(m)) exact.emplace(a, m);
    }
    if (visible) filtered = true;
  }
  std::optional<MemberId> Find(std::string_view text) const {
    auto it = exact.find(text);
    if (it != exact.end()) return it->second;
    if (filtered) {  // the case-insensitive lookup, among the members kept
      auto m = dim->Find(text);
      if (m && exact.count(dim->member_name(*m))) return m;
      return std::nullopt;
    }
    return dim->Find(text);
  }
  bool filtered = false;
  // The leaf ordinal of `text`; kNotALeaf with the problem and a message
  // naming member and dimension when it is unknown or consolidated.
  struct Leaf {
    LeafOrdinal leaf = kNotALeaf;
    RowProblem problem = RowProblem::kUnknownMember;
    std::string message;
  };
  Leaf FindLeaf(std::string_view text) const {
    auto m = Find(text);
    if (!m)
      return {kNotALeaf, RowProblem::kUnknownMember,
              "unknown member '" + std::string(text) + "' of dimension '" + dim->name() + "'"};
    if (!dim->is_leaf(*m))
      return {kNotALeaf, RowProblem::kNotLeaf,
              "member '" + std::string(text) + "' of dimension '" + dim->name() +
                  "' is consolidated; facts name leaf members"};
    return {dim->leaf_ordinal(*m), RowProblem::kUnknownMember, ""};
  }
};

}  // namespace quantatom
