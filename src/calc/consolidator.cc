#include "calc/consolidator.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <numeric>

namespace quantatom {
namespace {

// Scans smaller than this stay on the calling thread.
constexpr size_t kParallelAtomsMin = 200'000;

// How one dimension's leaves feed the stage-1 tensor.
struct DimPlan {
  bool filter = false;         // a single target member
  std::vector<int32_t> slot;   // leaf -> slot, -1 when not under a target
  std::vector<double> weight;  // filter: leaf -> weight
  size_t slots = 1;            // distinct slots (1 for a filter)
  size_t stride = 0;           // stage-1 stride (0 for a filter)
  // Non-filter: per target, its (slot, weight) pairs.
  std::vector<std::vector<std::pair<int32_t, double>>> target_slots;
};

DimPlan PlanDimension(const Dimension& dim, const std::vector<MemberId>& targets) {
  DimPlan plan;
  plan.slot.assign(dim.leaf_count(), -1);
  if (targets.size() == 1) {
    plan.filter = true;
    plan.weight.assign(dim.leaf_count(), 0.0);
    for (const LeafWeight& lw : dim.leaf_weights(targets[0])) {
      plan.slot[lw.leaf] = 0;
      plan.weight[lw.leaf] = lw.weight;
    }
    return plan;
  }
  for (MemberId t : targets)
    for (const LeafWeight& lw : dim.leaf_weights(t)) plan.slot[lw.leaf] = 0;
  int32_t next = 0;
  for (int32_t& s : plan.slot)
    if (s == 0) s = next++;
  plan.slots = next;
  for (MemberId t : targets) {
    auto& pairs = plan.target_slots.emplace_back();
    for (const LeafWeight& lw : dim.leaf_weights(t))
      pairs.push_back({plan.slot[lw.leaf], lw.weight});
  }
  return plan;
}

struct Accumulator {
  std::vector<CellAggregate> cells;  // sum and atom count side by side: one cache line
  explicit Accumulator(size_t n) : cells(n) {}
};

// A partition that can contribute, with what its partition bits decide.
struct Candidate {
  const Partition* partition;
  double weight;
  size_t base;
};

// Per leaf of an inner dimension: where it moves the stage-1 index
// (negative: the atom does not contribute) and the weight it applies.
struct LeafEntry {
  int64_t offset;
  double weight;
};

struct InnerDim {
  int shift;
  uint32_t mask;
  const LeafEntry* table;
};

std::vector<LeafEntry> LeafTable(const DimPlan& plan) {
  std::vector<LeafEntry> table(plan.slot.size());
  for (size_t leaf = 0; leaf < table.size(); ++leaf) {
    int32_t s = plan.slot[leaf];
    table[leaf] = {s < 0 ? -1 : int64_t{s} * int64_t(plan.stride),
                   plan.filter ? plan.weight[leaf] : 1.0};
  }
  return table;
}

// The hot loop. N > 0 fixes the number of inner dimensions at compile time
// so the per-dimension loop unrolls; N == 0 takes it from `inner`.
template <size_t N>
void ScanPartition(const Candidate& c, std::span<const InnerDim> inner, Accumulator& acc) {
  const Partition& p = *c.partition;
  const size_t n = p.keys.size(), dims = N ? N : inner.size();
  const uint32_t* keys = p.keys.data();
  const double* values = p.values.data();
  CellAggregate* cells = acc.cells.data();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t key = keys[i];
    double v = c.weight * values[i];
    int64_t index = static_cast<int64_t>(c.base);
    bool hit = true;
    for (size_t d = 0; d < dims; ++d) {
      const LeafEntry& e = inner[d].table[(key >> inner[d].shift) & inner[d].mask];
      hit &= e.offset >= 0;
      index += e.offset;
      v *= e.weight;
    }
    if (!hit) continue;
    cells[index].sum += v;
    cells[index].atoms += 1;
  }
}

using ScanFn = void (*)(const Candidate&, std::span<const InnerDim>, Accumulator&);

ScanFn PickScan(size_t inner_dims) {
  switch (inner_dims) {
    case 1:
      return ScanPartition<1>;
    case 2:
      return ScanPartition<2>;
    case 3:
      return ScanPartition<3>;
    case 4:
      return ScanPartition<4>;
    default:
      return ScanPartition<0>;
  }
}

std::vector<Candidate> Candidates(const ConsolidationInput& in, const std::vector<DimPlan>& plans) {
  std::vector<Candidate> out;
  const KeyLayout& layout = *in.layout;
  for (const AtomStore* store : {in.store, in.derived}) {
    for (const Partition& p : store->partitions()) {
      const uint64_t key = p.id << layout.inner_bits();
      Candidate c{&p, 1.0, 0};
      bool hit = true;
      for (size_t d = 0; d < plans.size() && hit; ++d) {
        if (!layout.is_partition_dim(d)) continue;
        LeafOrdinal leaf = layout.Extract(key, d);
        int32_t s = plans[d].slot[leaf];
        hit = s >= 0;
        if (!hit) break;
        if (plans[d].filter) {
          c.weight *= plans[d].weight[leaf];
        } else {
          c.base += static_cast<size_t>(s) * plans[d].stride;
        }
      }
      if (hit) out.push_back(c);
    }
  }
  return out;
}

Accumulator ScanAll(const std::vector<Candidate>& candidates, std::span<const InnerDim> inner,
                    size_t slots) {
  size_t atoms = 0;
  for (const Candidate& c : candidates) atoms += c.partition->keys.size();
  const ScanFn scan = PickScan(inner.size());
  if (atoms < kParallelAtomsMin) {
    Accumulator acc(slots);
    for (const Candidate& c : candidates) scan(c, inner, acc);
    return acc;
  }
  tbb::enumerable_thread_specific<Accumulator> locals([slots] { return Accumulator(slots); });
  tbb::parallel_for(tbb::blocked_range<size_t>(0, candidates.size(), 16),
                    [&](const tbb::blocked_range<size_t>& r) {
                      Accumulator& acc = locals.local();
                      for (size_t i = r.begin(); i != r.end(); ++i) scan(candidates[i], inner, acc);
                    });
  Accumulator total(slots);
  for (Accumulator& acc : locals) {
    for (size_t i = 0; i < slots; ++i) {
      total.cells[i].sum += acc.cells[i].sum;
      total.cells[i].atoms += acc.cells[i].atoms;
    }
  }
  return total;
}

// out[pre, t, post] = sum over (s, w) of target t: w * in[pre, s, post].
Accumulator Contract(const Accumulator& in, size_t pre, size_t slots, size_t post,
                     const DimPlan& plan) {
  const size_t targets = plan.target_slots.size();
  Accumulator out(pre * targets * post);
  const CellAggregate* src = in.cells.data();
  CellAggregate* dst = out.cells.data();
  for (size_t a = 0; a < pre; ++a) {
    for (size_t t = 0; t < targets; ++t) {
      const size_t o = (a * targets + t) * post;
      for (auto [s, w] : plan.target_slots[t]) {
        const size_t i = (a * slots + s) * post;
        for (size_t b = 0; b < post; ++b) {
          dst[o + b].sum += w * src[i + b].sum;
          dst[o + b].atoms += src[i + b].atoms;
        }
      }
    }
  }
  return out;
}

CellTensor ToTensor(Accumulator acc, const std::vector<std::vector<MemberId>>& targets) {
  CellTensor t;
  t.strides.assign(targets.size(), 1);
  for (size_t d = targets.size(); d-- > 1;) t.strides[d - 1] = t.strides[d] * targets[d].size();
  t.cells = std::move(acc.cells);
  return t;
}

}  // namespace

CellTensor ConsolidateDirect(const ConsolidationInput& in,
                             const std::vector<std::vector<MemberId>>& targets);

CellTensor Consolidate(const ConsolidationInput& in,
                       const std::vector<std::vector<MemberId>>& targets) {
  const auto& dims = *in.dims;
  std::vector<DimPlan> plans;
  size_t slots = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    plans.push_back(PlanDimension(*dims[d], targets[d]));
    slots *= plans.back().slots;
    if (slots > in.stage_slots_max) return ConsolidateDirect(in, targets);
  }
  for (size_t d = dims.size(), stride = 1; d-- > 0;) {
    if (plans[d].filter) continue;
    plans[d].stride = stride;
    stride *= plans[d].slots;
  }
  std::vector<InnerDim> inner;
  std::vector<std::vector<LeafEntry>> tables;
  const KeyLayout& layout = *in.layout;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (layout.is_partition_dim(d)) continue;
    tables.push_back(LeafTable(plans[d]));
  }
  for (size_t d = 0, t = 0; d < dims.size(); ++d) {
    if (layout.is_partition_dim(d)) continue;
    inner.push_back({layout.shift(d), static_cast<uint32_t>(layout.mask(d)), tables[t++].data()});
  }
  Accumulator acc = ScanAll(Candidates(in, plans), inner, slots);
  // Stage 2: contract each non-filter dimension from leaf slots to targets.
  std::vector<size_t> shape;
  for (const DimPlan& p : plans) shape.push_back(p.filter ? 1 : p.slots);
  for (size_t d = 0; d < plans.size(); ++d) {
    if (plans[d].filter) continue;
    size_t pre = std::accumulate(shape.begin(), shape.begin() + d, size_t{1}, std::multiplies<>());
    size_t post =
        std::accumulate(shape.begin() + d + 1, shape.end(), size_t{1}, std::multiplies<>());
    acc = Contract(acc, pre, shape[d], post, plans[d]);
    shape[d] = targets[d].size();
  }
  return ToTensor(std::move(acc), targets);
}

}  // namespace quantatom
