// How the atoms a reference reads map to the cells of its rule, per
// dimension: a full recalculation scans the atoms and sends each to the
// cells it feeds; an incremental one sends each changed atom the same way
// to find the cells to recompute.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "rules/compiled.h"
#include "rules/compiler.h"

namespace quantatom::rules {

struct RefPlan {
  struct Dim {  // one dimension of the cube read
    bool fixed = false;
    std::vector<double> weight;  // fixed: by leaf, its weight under the member (0: not beneath)
    std::vector<uint8_t> under;  // fixed: by leaf
    // From the cell: by source leaf, the rule's leaves (of target_dim)
    // reading it and with which weight (CSR).
    size_t target_dim = 0;
    std::vector<uint32_t> begin;
    std::vector<std::pair<LeafOrdinal, double>> links;
  };
  std::vector<Dim> dims;
  // By dimension of the rule's cube that no dimension read takes its
  // member from: the rule's leaves there (the reference's value is the
  // same for each). Empty for the other dimensions.
  std::vector<std::vector<LeafOrdinal>> broadcast;
  std::vector<bool> from_cell;  // by dimension of the rule's cube
  // Leaves read, per dimension of the cube read (an empty vector: every one).
  std::vector<std::vector<uint8_t>> region;
  // Every atom read feeds one cell at most, alone: no sums to form.
  bool direct = true;
  bool aggregating = false;  // a fixed member is consolidated
};

RefPlan PlanRef(const CompiledRule& rule, const CompiledRef& ref, const Schema& schema);

// Calls emit(target leaves, weight) for every cell of the rule an atom at
// source `leaves` feeds; `target` (a leaf per dimension of the rule's cube)
// is filled for each call. With `skip_fixed` the fixed dimensions are
// neither checked nor weighed (an atom summed over them already).
template <class Emit>
void ForEachTarget(const RefPlan& plan, const LeafOrdinal* leaves, LeafOrdinal* target, Emit&& emit,
                   bool skip_fixed = false) {
  const size_t nd = plan.dims.size(), nt = plan.broadcast.size();
  double weight = 1;
  for (size_t s = 0; s < nd; ++s) {
    const RefPlan::Dim& d = plan.dims[s];
    if (d.fixed) {
      if (skip_fixed) continue;
      if (!d.under[leaves[s]]) return;
      weight *= d.weight[leaves[s]];
    } else if (d.begin[leaves[s]] == d.begin[leaves[s] + 1]) {
      return;
    }
  }
  // Odometer over the link lists of the dimensions read from the cell and
  // the broadcast lists.
  struct Digit {
    size_t target_dim;
    const std::pair<LeafOrdinal, double>* links;  // nullptr: a broadcast list
    const LeafOrdinal* leaves;
    size_t size, at;
  };
  Digit digits[32];
  size_t n = 0;
  for (size_t s = 0; s < nd; ++s) {
    const RefPlan::Dim& d = plan.dims[s];
    if (d.fixed) continue;
    const uint32_t b = d.begin[leaves[s]], e = d.begin[leaves[s] + 1];
    digits[n++] = {d.target_dim, d.links.data() + b, nullptr, e - b, 0};
  }
  for (size_t t = 0; t < nt; ++t) {
    if (plan.from_cell[t]) continue;
    if (plan.broadcast[t].empty()) return;
    digits[n++] = {t, nullptr, plan.broadcast[t].data(), plan.broadcast[t].size(), 0};
  }
  while (true) {
    double w = weight;
    for (size_t i = 0; i < n; ++i) {
      const Digit& g = digits[i];
      if (g.links) {
        target[g.target_dim] = g.links[g.at].first;
        w *= g.links[g.at].second;
      } else {
        target[g.target_dim] = g.leaves[g.at];
      }
    }
    emit(static_cast<const LeafOrdinal*>(target), w);
    size_t i = 0;
    for (; i < n; ++i) {
      if (++digits[i].at < digits[i].size) break;
      digits[i].at = 0;
    }
    if (i == n) return;
  }
}

// How many cells an atom at `leaves` feeds.
size_t TargetCount(const RefPlan& plan, const LeafOrdinal* leaves);

}  // namespace quantatom::rules
