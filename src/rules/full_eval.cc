#include "rules/full_eval.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <optional>

#include "model/region_scan.h"
#include "rules/elimination.h"
#include "rules/kernel.h"
#include "store/bulk_build.h"

namespace quantatom::rules {
namespace {

Status Gone() { return Status(StatusCode::kConflict, "the model changed during the computation"); }

// (key, value) pairs, one list per partition scanned, joined later.
struct Emitted {
  std::vector<std::vector<std::pair<uint64_t, double>>> parts;
  void Join(std::vector<uint64_t>& keys, std::vector<double>& values) const {
    size_t n = keys.size();
    for (const auto& p : parts) n += p.size();
    keys.reserve(n);
    values.reserve(n);
    for (const auto& p : parts)
      for (const auto& [k, v] : p) keys.push_back(k), values.push_back(v);
  }
};

// Leaf flags with "every leaf" as an empty vector (ScanRegion skips them).
LeafFlags Region(const std::vector<std::vector<uint8_t>>& flags) {
  LeafFlags out = flags;
  for (auto& f : out)
    if (std::all_of(f.begin(), f.end(), [](uint8_t x) { return x != 0; })) f.clear();
  return out;
}

// Calls visit(value, key, leaves, emitted list) for each atom (stored and
// derived) of `cube` in `region`, partitions in parallel.
template <class Visit>
void Scan(const Cube::Impl& cube, const LeafFlags& region, Emitted& out, Visit&& visit) {
  std::shared_lock lock(cube.mu);
  for (const AtomStore* store : {&cube.store, &cube.derived}) {
    const auto& partitions = store->partitions();
    const size_t first = out.parts.size();
    out.parts.resize(first + partitions.size());
    ScanRegion(cube, *store, region, [&](size_t pi, size_t i, const LeafOrdinal* leaves) {
      visit(partitions[pi].values[i], store->Key(partitions[pi], i), leaves, out.parts[first + pi]);
    });
  }
}

// When each emitted list is ascending inside one partition and no two
// lists share a partition (a reference moving atoms by fixed members, as
// [Measure: Units] read for Amount does), the lists are the partitions
// already: nothing to join, sort or sum. nullopt otherwise.
std::optional<std::vector<Partition>> FoldAscending(const Emitted& emitted, int inner_bits) {
  std::vector<const std::vector<std::pair<uint64_t, double>>*> lists;
  for (const auto& list : emitted.parts) {
    if (list.empty()) continue;
    const uint64_t id = list.front().first >> inner_bits;
    for (size_t i = 1; i < list.size(); ++i)
      if (list[i].first <= list[i - 1].first || (list[i].first >> inner_bits) != id)
        return std::nullopt;
    lists.push_back(&list);
  }
  std::sort(lists.begin(), lists.end(),
            [](const auto* a, const auto* b) { return a->front().first < b->front().first; });
  for (size_t i = 1; i < lists.size(); ++i)
    if ((lists[i]->front().first >> inner_bits) == (lists[i - 1]->front().first >> inner_bits))
      return std::nullopt;
  std::vector<Partition> out(lists.size());
  const uint64_t inner_mask = (uint64_t{1} << inner_bits) - 1;
  tbb::parallel_for(size_t{0}, lists.size(), [&](size_t i) {
    const auto& list = *lists[i];
    Partition& p = out[i];
    p.id = list.front().first >> inner_bits;
    p.keys.resize(list.size());
    p.values.resize(list.size());
    for (size_t j = 0; j < list.size(); ++j) {
      p.keys[j] = static_cast<uint32_t>(list[j].first & inner_mask);
      p.values[j] = list[j].second;
    }
  });
  return out;
}

std::vector<Partition> Fold(const Emitted& emitted, int inner_bits) {
  if (auto ascending = FoldAscending(emitted, inner_bits)) return std::move(*ascending);
  std::vector<uint64_t> keys;
  std::vector<double> values;
  emitted.Join(keys, values);
  return BuildPartitions(std::move(keys), std::move(values), inner_bits).partitions;
}

// A reference into the rule's own cube that reads each cell's own leaf on
// every dimension but some, each fixed to one leaf where the rule computes
// one leaf ([Measure: Units] read for [Measure: Amount]): the cell an atom
// feeds is its key with those dimensions' bits replaced, weight 1.
struct KeyRemap {
  uint64_t keep = ~uint64_t{0}, set = 0;
};
std::optional<KeyRemap> RemapOf(const RefPlan& plan, const KeyLayout& layout) {
  if (plan.aggregating || plan.broadcast.size() != plan.dims.size()) return std::nullopt;
  KeyRemap remap;
  for (size_t s = 0; s < plan.dims.size(); ++s) {
    const RefPlan::Dim& d = plan.dims[s];
    if (d.fixed) {
      if (plan.from_cell[s] || plan.broadcast[s].size() != 1) return std::nullopt;
      for (size_t l = 0; l < d.under.size(); ++l)
        if (d.under[l] && d.weight[l] != 1) return std::nullopt;
      remap.keep &= ~(layout.mask(s) << layout.shift(s));
      remap.set |= uint64_t{plan.broadcast[s][0]} << layout.shift(s);
      continue;
    }
    if (d.target_dim != s || !plan.from_cell[s]) return std::nullopt;
    for (size_t l = 0; l + 1 < d.begin.size(); ++l) {
      const uint32_t b = d.begin[l], e = d.begin[l + 1];
      if (e == b) continue;
      if (e - b != 1 || d.links[b].first != l || d.links[b].second != 1) return std::nullopt;
    }
  }
  return remap;
}

// A reference's values at the rule's cells it is non-empty at.
Result<std::vector<Partition>> ScanReference(const RuleSet& set, size_t r, size_t k) {
  const CompiledRule& rule = set.rules()[r];
  const RefPlan& plan = set.plan(r, k);
  auto target = set.cube(rule.cube), source = set.cube(rule.refs[k].cube);
  if (!target || !source) return Gone();
  const KeyLayout& tl = target->impl().layout;
  const Cube::Impl& s = source->impl();
  Emitted emitted;
  const std::optional<KeyRemap> remap =
      rule.refs[k].cube == rule.cube ? RemapOf(plan, tl) : std::nullopt;
  if (remap) {
    const KeyRemap m = *remap;
    Scan(s, Region(plan.region), emitted,
         [&](double v, uint64_t key, const LeafOrdinal* leaves, auto& out) {
           for (size_t d = 0; d < plan.dims.size(); ++d) {
             const RefPlan::Dim& dim = plan.dims[d];
             if (dim.fixed ? !dim.under[leaves[d]]
                           : dim.begin[leaves[d]] == dim.begin[leaves[d] + 1])
               return;
           }
           out.push_back({(key & m.keep) | m.set, v});
         });
    return Fold(emitted, tl.inner_bits());
  }
  if (!plan.aggregating) {
    Scan(s, Region(plan.region), emitted,
         [&](double v, uint64_t, const LeafOrdinal* leaves, auto& out) {
           LeafOrdinal t[kCubeDimensionsMax];
           ForEachTarget(plan, leaves, t, [&](const LeafOrdinal* at, double w) {
             out.push_back({tl.Pack(at), v * w});
           });
         });
    return Fold(emitted, tl.inner_bits());
  }
  // A consolidated member read (a total): the atoms are first summed over
  // the dimensions with fixed members, then each sum goes to its cells.
  const size_t nd = plan.dims.size();
  Scan(s, Region(plan.region), emitted,
       [&](double v, uint64_t, const LeafOrdinal* leaves, auto& out) {
         LeafOrdinal group[kCubeDimensionsMax];
         double w = 1;
         for (size_t d = 0; d < nd; ++d) {
           group[d] = plan.dims[d].fixed ? 0 : leaves[d];
           if (plan.dims[d].fixed) w *= plan.dims[d].weight[leaves[d]];
         }
         out.push_back({s.layout.Pack(group), v * w});
       });
  std::vector<Partition> groups = Fold(emitted, s.layout.inner_bits());
  Emitted fed;
  fed.parts.resize(groups.size());
  tbb::parallel_for(size_t{0}, groups.size(), [&](size_t g) {
    LeafOrdinal leaves[kCubeDimensionsMax], t[kCubeDimensionsMax];
    const Partition& p = groups[g];
    for (size_t i = 0; i < p.keys.size(); ++i) {
      s.layout.Unpack(s.store.Key(p, i), leaves);
      ForEachTarget(
          plan, leaves, t,
          [&](const LeafOrdinal* at, double w) {
            fed.parts[g].push_back({tl.Pack(at), p.values[i] * w});
          },
          /*skip_fixed=*/true);
    }
  });
  return Fold(fed, tl.inner_bits());
}

// The atoms an elimination rule sends to its elimination leaves, negated.
Result<std::vector<Partition>> ScanElimination(const RuleSet& set, size_t r) {
  const CompiledRule& rule = set.rules()[r];
  const Elimination& e = *rule.elimination;
  auto cube = set.cube(rule.cube);
  if (!cube) return Gone();
  const Cube::Impl& c = cube->impl();
  std::vector<std::vector<uint8_t>> region = rule.area.leaves;
  const Dimension& entity = *c.dims[e.entity_dim];
  for (LeafOrdinal l = 0; l < entity.leaf_count(); ++l)
    region[e.entity_dim][l] = !rule.area.leaves[e.entity_dim][l];
  std::fill(region[e.counterparty_dim].begin(), region[e.counterparty_dim].end(), 1);
  Emitted emitted;
  Scan(c, Region(region), emitted, [&](double v, uint64_t, const LeafOrdinal* leaves, auto& out) {
    const LeafOrdinal to = e.TargetOf(leaves[e.entity_dim], leaves[e.counterparty_dim]);
    if (to == kNotALeaf) return;
    LeafOrdinal t[kCubeDimensionsMax];
    std::copy(leaves, leaves + c.dims.size(), t);
    t[e.entity_dim] = to;
    out.push_back({c.layout.Pack(t), -v});
  });
  return Fold(emitted, c.layout.inner_bits());
}

// ---- Support: the partitions and cells the rule can be non-empty at ---------

const Partition* FindPart(const std::vector<Partition>& parts, uint64_t id) {
  auto it = std::lower_bound(parts.begin(), parts.end(), id,
                             [](const Partition& p, uint64_t v) { return p.id < v; });
  return it != parts.end() && it->id == id ? &*it : nullptr;
}

// A union or intersection support: its parts' ascending lists combined.
template <class T, class Of>
std::vector<T> Combine(const Support& s, Of&& of) {
  std::vector<T> acc = of(s.parts[0]);
  for (size_t i = 1; i < s.parts.size(); ++i) {
    std::vector<T> next = of(s.parts[i]), out;
    if (s.kind == Support::Kind::kUnion) {
      std::set_union(acc.begin(), acc.end(), next.begin(), next.end(), std::back_inserter(out));
    } else {
      std::set_intersection(acc.begin(), acc.end(), next.begin(), next.end(),
                            std::back_inserter(out));
    }
    acc = std::move(out);
  }
  return acc;
}

class SupportCells {
 public:
  SupportCells(const CompiledRule& rule, const std::vector<std::vector<Partition>>& refs,
               const Cube::Impl& cube)
      : rule_(rule), refs_(refs), cube_(cube) {}

  std::vector<uint64_t> Ids(const Support& s) const {
    switch (s.kind) {
      case Support::Kind::kNone:
        return {};
      case Support::Kind::kAll:
        return AreaIds();
      case Support::Kind::kRef: {
        std::vector<uint64_t> out;
        for (const Partition& p : refs_[s.ref]) out.push_back(p.id);
        return out;
      }
      default:
        return Combine<uint64_t>(s, [&](const Support& part) { return Ids(part); });
    }
  }

  std::vector<uint32_t> Cells(const Support& s, uint64_t id) const {
    switch (s.kind) {
      case Support::Kind::kNone:
        return {};
      case Support::Kind::kAll:
        return AreaCells(id);
      case Support::Kind::kRef: {
        const Partition* p = FindPart(refs_[s.ref], id);
        return p ? p->keys : std::vector<uint32_t>{};
      }
      default:
        return Combine<uint32_t>(s, [&](const Support& part) { return Cells(part, id); });
    }
  }

 private:
  const CompiledRule& rule_;
  const std::vector<std::vector<Partition>>& refs_;
  const Cube::Impl& cube_;

  // Every combination of the area's leaves over the dimensions `partition`
  // picks (partition or inner), packed.
  std::vector<uint64_t> Combinations(bool partition) const {
    std::vector<uint64_t> out{0};
    const KeyLayout& l = cube_.layout;
    for (size_t d = 0; d < cube_.dims.size(); ++d) {
      if (l.is_partition_dim(d) != partition) continue;
      std::vector<uint64_t> next;
      for (uint64_t base : out)
        for (LeafOrdinal leaf = 0; leaf < rule_.area.leaves[d].size(); ++leaf)
          if (rule_.area.leaves[d][leaf]) next.push_back(base | (uint64_t{leaf} << l.shift(d)));
      out = std::move(next);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<uint64_t> AreaIds() const {
    std::vector<uint64_t> out = Combinations(true);
    for (uint64_t& k : out) k >>= cube_.layout.inner_bits();
    return out;
  }
  std::vector<uint32_t> AreaCells(uint64_t) const {
    std::vector<uint32_t> out;
    for (uint64_t k : Combinations(false)) out.push_back(static_cast<uint32_t>(k));
    return out;
  }
};

// A reference's values at `cells` (ascending) of one partition.
void Gather(const Partition* p, const std::vector<uint32_t>& cells, Column& out) {
  out.Resize(cells.size());
  if (!p) return;
  size_t j = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    while (j < p->keys.size() && p->keys[j] < cells[i]) ++j;
    if (j < p->keys.size() && p->keys[j] == cells[i]) {
      out.has[i] = 1;
      out.value[i] = p->values[j];
    }
  }
}

}  // namespace

Result<std::vector<Partition>> ComputeLeafRule(const RuleSet& set, size_t r) {
  const CompiledRule& rule = set.rules()[r];
  auto cube = set.cube(rule.cube);
  if (!cube) return Gone();
  const Cube::Impl& c = cube->impl();
  std::vector<std::vector<Partition>> refs(rule.refs.size());
  for (size_t k = 0; k < rule.refs.size(); ++k) {
    QA_ASSIGN_OR_RETURN(refs[k],
                        rule.elimination ? ScanElimination(set, r) : ScanReference(set, r, k));
  }
  SupportCells support(rule, refs, c);
  const std::vector<uint64_t> ids = support.Ids(rule.support);
  std::vector<Partition> out(ids.size());
  tbb::parallel_for(size_t{0}, ids.size(), [&](size_t i) {
    const uint64_t id = ids[i];
    std::vector<uint32_t> cells = support.Cells(rule.support, id);
    if (cells.empty()) return;
    std::vector<Column> columns(refs.size());
    for (size_t k = 0; k < refs.size(); ++k) Gather(FindPart(refs[k], id), cells, columns[k]);
    std::vector<uint64_t> keys(cells.size());
    for (size_t j = 0; j < cells.size(); ++j) keys[j] = (id << c.layout.inner_bits()) | cells[j];
    Frame frame;
    frame.rows = cells.size();
    frame.keys = keys.data();
    frame.layout = &c.layout;
    frame.dims = &c.dims;
    Column result = Evaluate(rule, frame, columns);
    Partition& p = out[i];
    p.id = id;
    const size_t n = std::count_if(result.has.begin(), result.has.begin() + cells.size(),
                                   [](uint8_t h) { return h != 0; });
    p.keys.reserve(n);  // exact: the partition may be stored as it is
    p.values.reserve(n);
    for (size_t j = 0; j < cells.size(); ++j) {
      if (!result.has[j]) continue;
      p.keys.push_back(cells[j]);
      p.values.push_back(result.value[j]);
    }
  });
  std::erase_if(out, [](const Partition& p) { return p.keys.empty(); });
  return out;
}

}  // namespace quantatom::rules
