// Navigation along a time dimension: previous and next periods, lags,
// periods of the same year, the same period last year.
//
// Members are ordered as a walk of the hierarchy meets them (roots in
// order, children in order, a shared member where it is first met), and
// grouped by depth: 2025-03 is followed by 2025-04 among the months, 2025-Q1
// by 2025-Q2 among the quarters, whatever the year. A period's year is its
// ancestor one level below the root when the dimension has a single root
// (an "All Time" above the years), else its root.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom::rules {

class TimeAxis {
 public:
  explicit TimeAxis(const Dimension& dim);

  // `n` periods later (earlier for n < 0) at the same depth; kNoMember when
  // there is none.
  MemberId Shift(MemberId m, int n) const;
  // The same, kNoMember when it leaves the period's year.
  MemberId ShiftInYear(MemberId m, int n) const;
  // The period at the same place in the year before (kNoMember: none).
  MemberId LastYear(MemberId m) const;

  // The most periods one year holds at one depth, and one depth holds.
  int PeriodsPerYearMax() const { return periods_per_year_max_; }
  int PeriodsPerDepthMax() const { return periods_per_depth_max_; }

 private:
  std::vector<int> depth_;     // by member, -1: not met (a deleted member)
  std::vector<size_t> index_;  // position among its depth's members
  std::vector<std::vector<MemberId>> by_depth_;
  std::vector<MemberId> year_;   // the period's year (itself above the years)
  std::vector<size_t> in_year_;  // position among its year's members of its depth
  std::map<std::pair<MemberId, int>, std::vector<MemberId>> year_periods_;  // (year, depth)
  int periods_per_year_max_ = 1, periods_per_depth_max_ = 1;
};

}  // namespace quantatom::rules
