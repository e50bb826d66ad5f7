// The fallback for views whose stage-1 tensor would be too large: every atom
// is added straight into each target cell above it.
#include "calc/consolidator.h"

namespace quantatom {
namespace {

// Per leaf, the targets above it with their weights (CSR).
struct LeafTargets {
  std::vector<uint32_t> begin;  // leaf_count + 1
  std::vector<std::pair<uint32_t, double>> links;
};

LeafTargets Invert(const Dimension& dim, const std::vector<MemberId>& targets) {
  std::vector<std::vector<std::pair<uint32_t, double>>> per_leaf(dim.leaf_count());
  for (uint32_t t = 0; t < targets.size(); ++t)
    for (const LeafWeight& lw : dim.leaf_weights(targets[t]))
      per_leaf[lw.leaf].push_back({t, lw.weight});
  LeafTargets out;
  out.begin.push_back(0);
  for (auto& v : per_leaf) {
    out.links.insert(out.links.end(), v.begin(), v.end());
    out.begin.push_back(static_cast<uint32_t>(out.links.size()));
  }
  return out;
}

struct Expander {
  const std::vector<LeafTargets>& inverted;
  const std::vector<size_t>& strides;
  std::vector<LeafOrdinal> leaves;
  CellTensor& out;

  void Add(size_t d, size_t index, double v) {
    if (d == inverted.size()) {
      out.cells[index].sum += v;
      out.cells[index].atoms += 1;
      return;
    }
    const LeafTargets& lt = inverted[d];
    for (uint32_t i = lt.begin[leaves[d]]; i < lt.begin[leaves[d] + 1]; ++i)
      Add(d + 1, index + lt.links[i].first * strides[d], v * lt.links[i].second);
  }
};

}  // namespace

CellTensor ConsolidateDirect(const ConsolidationInput& in,
                             const std::vector<std::vector<MemberId>>& targets) {
  const auto& dims = *in.dims;
  std::vector<LeafTargets> inverted;
  CellTensor out;
  out.strides.assign(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) out.strides[d - 1] = out.strides[d] * targets[d].size();
  out.cells.resize(out.strides[0] * targets[0].size());
  for (size_t d = 0; d < dims.size(); ++d) inverted.push_back(Invert(*dims[d], targets[d]));
  Expander expander{inverted, out.strides, std::vector<LeafOrdinal>(dims.size()), out};
  for (const AtomStore* store : {in.store, in.derived}) {
    for (const Partition& p : store->partitions()) {
      for (size_t i = 0; i < p.keys.size(); ++i) {
        in.layout->Unpack(store->Key(p, i), expander.leaves.data());
        expander.Add(0, 0, p.values[i]);
      }
    }
  }
  return out;
}

}  // namespace quantatom
