#include "rules/ref_plan.h"

namespace quantatom::rules {

RefPlan PlanRef(const CompiledRule& rule, const CompiledRef& ref, const Schema& schema) {
  const auto& tdims = schema.cubes[rule.cube].dims;
  const auto& sdims = schema.cubes[ref.cube].dims;
  RefPlan plan;
  plan.dims.resize(sdims.size());
  plan.region.resize(sdims.size());
  plan.from_cell.assign(tdims.size(), false);
  plan.broadcast.resize(tdims.size());
  // A target leaf counts when it is in the area and the navigation around
  // the reference leaves it a cell to read.
  auto counts = [&](size_t td, LeafOrdinal t) {
    const MemberId m = tdims[td]->leaf_member(t);
    return rule.area.leaves[td][t] && (ref.valid[td].empty() || ref.valid[td][m]);
  };
  for (size_t s = 0; s < sdims.size(); ++s) {
    const Dimension& sdim = *sdims[s];
    const MemberMap& map = ref.maps[s];
    RefPlan::Dim& d = plan.dims[s];
    plan.region[s].assign(sdim.leaf_count(), 0);
    if (!map.from_cell) {
      d.fixed = true;
      d.weight.assign(sdim.leaf_count(), 0);
      d.under.assign(sdim.leaf_count(), 0);
      for (const LeafWeight& lw : sdim.leaf_weights(map.fixed)) {
        d.weight[lw.leaf] += lw.weight;
        d.under[lw.leaf] = plan.region[s][lw.leaf] = 1;
      }
      plan.aggregating |= !sdim.is_leaf(map.fixed);
      continue;
    }
    d.target_dim = map.target_dim;
    plan.from_cell[map.target_dim] = true;
    const Dimension& tdim = *tdims[map.target_dim];
    std::vector<std::vector<std::pair<LeafOrdinal, double>>> per_leaf(sdim.leaf_count());
    for (LeafOrdinal t = 0; t < tdim.leaf_count(); ++t) {
      if (!counts(map.target_dim, t)) continue;
      const MemberId m = map.Of(tdim.leaf_member(t));
      if (m == kNoMember) continue;
      for (const LeafWeight& lw : sdim.leaf_weights(m)) per_leaf[lw.leaf].push_back({t, lw.weight});
    }
    d.begin.push_back(0);
    for (LeafOrdinal l = 0; l < per_leaf.size(); ++l) {
      plan.direct &= per_leaf[l].size() <= 1;
      plan.region[s][l] = !per_leaf[l].empty();
      d.links.insert(d.links.end(), per_leaf[l].begin(), per_leaf[l].end());
      d.begin.push_back(static_cast<uint32_t>(d.links.size()));
    }
  }
  for (size_t td = 0; td < tdims.size(); ++td) {
    if (plan.from_cell[td]) continue;
    for (LeafOrdinal t = 0; t < tdims[td]->leaf_count(); ++t)
      if (counts(td, t)) plan.broadcast[td].push_back(t);
    plan.direct &= plan.broadcast[td].size() <= 1;
  }
  plan.direct &= !plan.aggregating;
  return plan;
}

size_t TargetCount(const RefPlan& plan, const LeafOrdinal* leaves) {
  size_t n = 1;
  for (size_t s = 0; s < plan.dims.size(); ++s) {
    const RefPlan::Dim& d = plan.dims[s];
    if (d.fixed) {
      if (!d.under[leaves[s]]) return 0;
    } else {
      n *= d.begin[leaves[s] + 1] - d.begin[leaves[s]];
    }
  }
  for (size_t t = 0; t < plan.broadcast.size(); ++t)
    if (!plan.from_cell[t]) n *= plan.broadcast[t].size();
  return n;
}

}  // namespace quantatom::rules
