#include "rules/time_axis.h"

#include <algorithm>

#include "rules/compiled.h"

namespace quantatom::rules {

TimeAxis::TimeAxis(const Dimension& dim)
    : depth_(dim.size(), -1),
      index_(dim.size(), 0),
      year_(dim.size(), kNoMember),
      in_year_(dim.size(), 0) {
  const auto roots = dim.roots();
  bool all_time_root = false;
  if (roots.size() == 1)
    for (const WeightedLink& c : dim.children(roots[0])) all_time_root |= !dim.is_leaf(c.member);
  const int year_depth = all_time_root ? 1 : 0;
  // Pre-order walk with an explicit stack (hierarchies may be deep); the
  // path holds the member met at each depth on the way down.
  struct Frame {
    MemberId member;
    size_t next_child;
  };
  std::vector<MemberId> path;
  for (MemberId root : roots) {
    std::vector<Frame> stack{{root, 0}};
    auto meet = [&](MemberId m) {
      if (depth_[m] >= 0) return false;  // a shared member, met before
      const int depth = static_cast<int>(stack.size()) - 1;
      path.resize(depth + 1);
      path[depth] = m;
      depth_[m] = depth;
      if (by_depth_.size() <= static_cast<size_t>(depth)) by_depth_.resize(depth + 1);
      index_[m] = by_depth_[depth].size();
      by_depth_[depth].push_back(m);
      year_[m] = depth >= year_depth ? path[year_depth] : m;
      auto& periods = year_periods_[{year_[m], depth}];
      in_year_[m] = periods.size();
      periods.push_back(m);
      return true;
    };
    meet(root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      auto children = dim.children(f.member);
      if (f.next_child >= children.size()) {
        stack.pop_back();
        continue;
      }
      MemberId child = children[f.next_child++].member;
      stack.push_back({child, 0});
      if (!meet(child)) stack.pop_back();
    }
  }
  for (const auto& [key, periods] : year_periods_)
    periods_per_year_max_ = std::max(periods_per_year_max_, static_cast<int>(periods.size()));
  for (const auto& members : by_depth_)
    periods_per_depth_max_ = std::max(periods_per_depth_max_, static_cast<int>(members.size()));
}

MemberId TimeAxis::Shift(MemberId m, int n) const {
  if (m == kNoMember || m >= depth_.size() || depth_[m] < 0) return kNoMember;
  const auto& members = by_depth_[depth_[m]];
  const long long at = static_cast<long long>(index_[m]) + n;
  if (at < 0 || at >= static_cast<long long>(members.size())) return kNoMember;
  return members[at];
}

MemberId TimeAxis::ShiftInYear(MemberId m, int n) const {
  MemberId s = Shift(m, n);
  return s != kNoMember && year_[s] == year_[m] ? s : kNoMember;
}

MemberId TimeAxis::LastYear(MemberId m) const {
  if (m == kNoMember || m >= depth_.size() || depth_[m] < 0) return kNoMember;
  const MemberId previous_year = Shift(year_[m], -1);
  if (previous_year == kNoMember) return kNoMember;
  if (year_[m] == m) return previous_year;  // a year, or above the years
  auto it = year_periods_.find({previous_year, depth_[m]});
  if (it == year_periods_.end() || in_year_[m] >= it->second.size()) return kNoMember;
  return it->second[in_year_[m]];
}

}  // namespace quantatom::rules
