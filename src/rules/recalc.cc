#include "rules/recalc.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "model/region_scan.h"
#include "rules/elimination.h"
#include "rules/full_eval.h"
#include "rules/point_eval.h"

namespace quantatom::rules {
namespace {

Status Gone() { return Status(StatusCode::kConflict, "the model changed during the computation"); }

// Derived atoms of `cube` whose leaves `keep` flags (all leaves: empty
// LeafFlags entries), keys ascending. REQUIRES: the read lock.
void DerivedIn(const Cube::Impl& cube, const LeafFlags& keep, std::vector<uint64_t>& keys,
               std::vector<double>& values) {
  const auto& partitions = cube.derived.partitions();
  std::vector<std::vector<std::pair<uint64_t, double>>> found(partitions.size());
  ScanRegion(cube, cube.derived, keep, [&](size_t pi, size_t i, const LeafOrdinal*) {
    found[pi].push_back({cube.derived.Key(partitions[pi], i), partitions[pi].values[i]});
  });
  for (const auto& part : found)
    for (const auto& [k, v] : part) keys.push_back(k), values.push_back(v);
}

}  // namespace

Status ReplaceRuleAtoms(const RuleSet& set, size_t r, std::vector<Partition> atoms,
                        std::vector<uint64_t>* changed) {
  auto cube = set.cube(set.rules()[r].cube);
  if (!cube) return Gone();
  Cube::Impl& c = cube->impl();
  std::vector<uint64_t> old_keys;
  std::vector<double> old_values;
  {
    // The commit thread is the only writer: what is read here stays so.
    std::shared_lock lock(c.mu);
    DerivedIn(c, set.rules()[r].area.leaves, old_keys, old_values);
  }
  size_t count = old_keys.size();
  for (const Partition& p : atoms) count += p.keys.size();
  if (old_keys.empty() && count > c.options.cache_delta_changes_max) {
    // Many atoms where the rule had none (a full recalculation): when the
    // store holds none of their partitions they are taken as they are.
    std::unique_lock lock(c.mu);
    const bool fresh = std::none_of(atoms.begin(), atoms.end(), [&](const Partition& p) {
      return c.derived.FindPartition(p.id) != nullptr;
    });
    if (fresh) {
      if (changed)
        for (const Partition& p : atoms)
          for (size_t i = 0; i < p.keys.size(); ++i) changed->push_back(c.derived.Key(p, i));
      c.derived.AdoptPartitions(std::move(atoms));
      c.cache.Clear();  // as ApplyLocked does for this many changes
      return Status::Ok();
    }
  }
  std::vector<AtomChange> changes;
  changes.reserve(count);
  size_t o = 0;
  for (const Partition& p : atoms) {
    for (size_t i = 0; i < p.keys.size(); ++i) {
      const uint64_t key = c.derived.Key(p, i);
      for (; o < old_keys.size() && old_keys[o] < key; ++o)
        changes.push_back({old_keys[o], 0, true});
      const bool same = o < old_keys.size() && old_keys[o] == key;
      if (!same || old_values[o] != p.values[i]) changes.push_back({key, p.values[i], false});
      if (same) ++o;
    }
  }
  for (; o < old_keys.size(); ++o) changes.push_back({old_keys[o], 0, true});
  if (changed)
    for (const AtomChange& ch : changes) changed->push_back(ch.key);
  std::unique_lock lock(c.mu);
  c.ApplyLocked(c.derived, changes);
  return Status::Ok();
}

Status Recompute(const RuleSet& set, const std::vector<bool>& rules_changed,
                 const std::vector<bool>& inputs_changed) {
  std::vector<bool> affected = inputs_changed;
  affected.resize(set.schema().cubes.size(), false);
  for (size_t c = 0; c < affected.size(); ++c) affected[c] = affected[c] || rules_changed[c];
  // By cube: the atoms its recomputed leaf rules now hold in their areas.
  std::vector<size_t> in_areas(affected.size(), 0);
  for (size_t r : set.leaf_order()) {
    const CompiledRule& rule = set.rules()[r];
    bool recompute = rules_changed[rule.cube];
    for (const CompiledRef& ref : rule.refs) recompute = recompute || affected[ref.cube];
    if (!recompute) continue;
    QA_ASSIGN_OR_RETURN(std::vector<Partition> atoms, ComputeLeafRule(set, r));
    for (const Partition& p : atoms) in_areas[rule.cube] += p.keys.size();
    QA_RETURN_IF_ERROR(ReplaceRuleAtoms(set, r, std::move(atoms)));
    affected[rule.cube] = true;
  }
  // Atoms of rules removed: derived atoms in no rule's area.
  for (size_t c = 0; c < rules_changed.size(); ++c) {
    if (!rules_changed[c]) continue;
    auto cube = set.cube(c);
    if (!cube) return Gone();
    Cube::Impl& impl = cube->impl();
    {
      // Every leaf rule of a cube whose rules changed was just recomputed,
      // and areas do not overlap: when the derived atoms are exactly those
      // the rules put in their areas, none lies outside them.
      std::shared_lock lock(impl.mu);
      if (impl.derived.atom_count() == in_areas[c]) continue;
    }
    std::vector<uint64_t> keys;
    std::vector<double> values;
    {
      std::shared_lock lock(impl.mu);
      DerivedIn(impl, LeafFlags(impl.dims.size()), keys, values);
    }
    std::vector<AtomChange> orphans;
    std::vector<LeafOrdinal> leaves(impl.dims.size());
    for (uint64_t k : keys) {
      impl.layout.Unpack(k, leaves.data());
      auto rule = set.RuleAtLeaf(c, leaves.data());
      if (!rule || set.rules()[*rule].kind != RuleKind::kLeaf) orphans.push_back({k, 0, true});
    }
    std::unique_lock lock(impl.mu);
    impl.ApplyLocked(impl.derived, orphans);
  }
  return Status::Ok();
}

namespace {

struct Change {
  std::optional<double> old_value, new_value;
};

// A transaction's changes not yet applied, and the reads through them.
class Pending : public CellReader {
 public:
  // A dry run applies nothing: where it would have to, it fails instead.
  Pending(const RuleSet& set, size_t overlay_work_max, bool dry_run = false)
      : set_(set), work_max_(overlay_work_max), dry_run_(dry_run) {
    const size_t n = set.schema().cubes.size();
    stored_.resize(n);
    derived_.resize(n);
    keys_.resize(n);
  }

  Status AddStored(size_t cube, const AtomDeltas& deltas) {
    auto c = set_.cube(cube);
    if (!c) return Gone();
    const auto& dims = set_.schema().cubes[cube].dims;
    if (deltas.size() > 0 && deltas.dims() != dims.size())
      return Status::Invalid("deltas do not fit cube '" + c->name() + "'");
    std::vector<LeafOrdinal> leaves(dims.size());
    for (size_t i = 0; i < deltas.size(); ++i) {
      auto coordinate = deltas.coordinate(i);
      for (size_t d = 0; d < dims.size(); ++d) {
        if (coordinate[d] >= dims[d]->size() || !dims[d]->is_leaf(coordinate[d]))
          return Status::Invalid("delta #" + std::to_string(i + 1) +
                                 " does not name a leaf of dimension '" + dims[d]->name() + "'");
        leaves[d] = dims[d]->leaf_ordinal(coordinate[d]);
      }
      auto value = deltas.new_value(i);
      if (value && !std::isfinite(*value))
        return Status::Invalid("delta #" + std::to_string(i + 1) + " is not finite");
      const uint64_t key = c->PackLeaves(leaves.data());
      auto [it, fresh] = stored_[cube].try_emplace(key, Change{deltas.old_value(i), value});
      if (!fresh) it->second.new_value = value;  // written twice: the last wins
      if (fresh) keys_[cube].push_back(key);
    }
    return Status::Ok();
  }

  void SetDerived(size_t cube, uint64_t key, Change change) {
    derived_[cube][key] = change;
    keys_[cube].push_back(key);
  }
  void Touched(size_t cube, const std::vector<uint64_t>& keys) {
    keys_[cube].insert(keys_[cube].end(), keys.begin(), keys.end());
  }
  const std::vector<uint64_t>& keys(size_t cube) const { return keys_[cube]; }
  const std::unordered_map<uint64_t, Change>& derived(size_t cube) const { return derived_[cube]; }
  bool dry_run() const { return dry_run_; }
  static Status TooMuch() {
    return Status::Limit(
        "the changes reach too many cells that rules compute to be computed beside the model "
        "(commit them instead)");
  }

  // Applies what is pending, each cube's stored and derived changes under
  // one lock; the reads then go to the cubes.
  Status Flush() {
    if (dry_run_) return TooMuch();
    for (size_t c = 0; c < stored_.size(); ++c) {
      if (stored_[c].empty() && derived_[c].empty()) continue;
      auto cube = set_.cube(c);
      if (!cube) return Gone();
      cube->impl().ApplyChanges(Sorted(stored_[c]), Sorted(derived_[c]));
      stored_[c].clear();
      derived_[c].clear();
    }
    return Status::Ok();
  }

  Status Atoms(size_t cube, std::span<const uint64_t> keys,
               std::vector<std::optional<double>>& out) override {
    auto c = set_.cube(cube);
    if (!c) return Gone();
    out.assign(keys.size(), std::nullopt);
    const Cube::Impl& impl = c->impl();
    std::shared_lock lock(impl.mu);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (auto it = derived_[cube].find(keys[i]); it != derived_[cube].end()) {
        out[i] = it->second.new_value;
      } else if (auto st = stored_[cube].find(keys[i]); st != stored_[cube].end()) {
        out[i] = st->second.new_value;
      } else {
        out[i] = impl.AtomAt(keys[i]);
      }
    }
    return Status::Ok();
  }

  // Consolidated cells: as the cube holds them, plus the weighted changes
  // pending beneath them (or, when that is much work, after a flush).
  Status Cells(size_t cube, std::span<const Coordinate> cells,
               std::vector<std::optional<double>>& out) override {
    const size_t pending = stored_[cube].size() + derived_[cube].size();
    if (pending * cells.size() > work_max_) QA_RETURN_IF_ERROR(Flush());
    auto c = set_.cube(cube);
    if (!c) return Gone();
    const Cube::Impl& impl = c->impl();
    std::vector<CellAggregate> agg;
    {
      std::shared_lock lock(impl.mu);
      agg = impl.Aggregates(std::vector<Coordinate>(cells.begin(), cells.end()));
    }
    std::vector<LeafOrdinal> leaves(impl.dims.size());
    for (const auto* changes : {&stored_[cube], &derived_[cube]}) {
      for (const auto& [key, change] : *changes) {
        impl.layout.Unpack(key, leaves.data());
        for (size_t i = 0; i < cells.size(); ++i) {
          double w = 1;
          for (size_t d = 0; d < leaves.size() && w != 0; ++d) {
            const Dimension& dim = *impl.dims[d];
            const MemberId m = cells[i][d];
            w *= dim.is_leaf(m) ? (dim.leaf_ordinal(m) == leaves[d] ? 1.0 : 0.0)
                                : dim.WeightOf(m, leaves[d]).value_or(0.0);
          }
          if (w == 0 && !Beneath(impl, cells[i], leaves)) continue;
          agg[i].sum += w * (change.new_value.value_or(0) - change.old_value.value_or(0));
          agg[i].atoms += (change.new_value ? 1 : 0) - (change.old_value ? 1 : 0);
        }
      }
    }
    out.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i)
      out[i] = agg[i].atoms ? std::optional<double>(agg[i].sum) : std::nullopt;
    return Status::Ok();
  }

 private:
  const RuleSet& set_;
  const size_t work_max_;
  const bool dry_run_;
  std::vector<std::unordered_map<uint64_t, Change>> stored_, derived_;
  std::vector<std::vector<uint64_t>> keys_;  // changed keys per cube, for the inverse mapping

  // Whether the leaf cell lies beneath the cell (a weight of 0 still counts its atom).
  static bool Beneath(const Cube::Impl& impl, const Coordinate& cell,
                      const std::vector<LeafOrdinal>& leaves) {
    for (size_t d = 0; d < leaves.size(); ++d) {
      const Dimension& dim = *impl.dims[d];
      if (dim.is_leaf(cell[d]) ? dim.leaf_ordinal(cell[d]) != leaves[d]
                               : !dim.WeightOf(cell[d], leaves[d]))
        return false;
    }
    return true;
  }

  static std::vector<AtomChange> Sorted(const std::unordered_map<uint64_t, Change>& changes) {
    std::vector<AtomChange> out;
    out.reserve(changes.size());
    for (const auto& [key, c] : changes)
      out.push_back({key, c.new_value.value_or(0), !c.new_value});
    std::sort(out.begin(), out.end(),
              [](const AtomChange& a, const AtomChange& b) { return a.key < b.key; });
    return out;
  }
};

// The cells of rule `r` the changed keys feed, ascending; nullopt past `max`.
std::optional<std::vector<uint64_t>> Affected(const RuleSet& set, size_t r, const Pending& pending,
                                              size_t max) {
  const CompiledRule& rule = set.rules()[r];
  auto cube = set.cube(rule.cube);
  const KeyLayout& tl = cube->impl().layout;
  std::vector<uint64_t> out;
  LeafOrdinal leaves[kCubeDimensionsMax], target[kCubeDimensionsMax];
  for (size_t k = 0; k < rule.refs.size(); ++k) {
    const size_t source = rule.refs[k].cube;
    auto scube = set.cube(source);
    const KeyLayout& sl = scube->impl().layout;
    for (uint64_t key : pending.keys(source)) {
      sl.Unpack(key, leaves);
      if (rule.elimination) {
        const Elimination& e = *rule.elimination;
        const LeafOrdinal to = e.TargetOf(leaves[e.entity_dim], leaves[e.counterparty_dim]);
        if (to == kNotALeaf) continue;
        std::copy(leaves, leaves + rule.area.leaves.size(), target);
        target[e.entity_dim] = to;
        bool in = true;
        for (size_t d = 0; d < rule.area.leaves.size() && in; ++d)
          in = d == e.counterparty_dim || rule.area.leaves[d][target[d]];
        if (in) out.push_back(tl.Pack(target));
        continue;
      }
      const RefPlan& plan = set.plan(r, k);
      if (out.size() + TargetCount(plan, leaves) > max) return std::nullopt;
      ForEachTarget(plan, leaves, target,
                    [&](const LeafOrdinal* t, double) { out.push_back(tl.Pack(t)); });
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Computes, rule after rule, the derived atoms the pending changes reach.
Status Propagate(const RuleSet& set, Pending& pending, const IncrementalOptions& options) {
  for (size_t r : set.leaf_order()) {
    const CompiledRule& rule = set.rules()[r];
    auto targets = Affected(set, r, pending, options.incremental_cells_max);
    if (!targets) {  // too many cells: the rule whole
      if (pending.dry_run()) return Pending::TooMuch();
      QA_RETURN_IF_ERROR(pending.Flush());
      QA_ASSIGN_OR_RETURN(std::vector<Partition> atoms, ComputeLeafRule(set, r));
      std::vector<uint64_t> changed;
      QA_RETURN_IF_ERROR(ReplaceRuleAtoms(set, r, std::move(atoms), &changed));
      pending.Touched(rule.cube, changed);
      continue;
    }
    if (targets->empty()) continue;
    const auto& dims = set.schema().cubes[rule.cube].dims;
    auto cube = set.cube(rule.cube);
    std::vector<MemberId> coordinates(targets->size() * dims.size());
    LeafOrdinal leaves[kCubeDimensionsMax];
    for (size_t i = 0; i < targets->size(); ++i) {
      cube->UnpackKey((*targets)[i], leaves);
      for (size_t d = 0; d < dims.size(); ++d)
        coordinates[i * dims.size() + d] = dims[d]->leaf_member(leaves[d]);
    }
    QA_ASSIGN_OR_RETURN(Column values, EvaluateAt(set, rule, coordinates, pending));
    std::vector<std::optional<double>> old_values;
    QA_RETURN_IF_ERROR(pending.Atoms(rule.cube, *targets, old_values));
    for (size_t i = 0; i < targets->size(); ++i) {
      std::optional<double> now =
          values.has[i] ? std::optional<double>(values.value[i]) : std::nullopt;
      if (now != old_values[i]) pending.SetDerived(rule.cube, (*targets)[i], {old_values[i], now});
    }
  }
  return Status::Ok();
}

constexpr size_t kOverlayWorkMax = 4'000'000;

}  // namespace

Status ApplyDeltas(const RuleSet& set,
                   const std::vector<std::pair<size_t, const AtomDeltas*>>& deltas,
                   const IncrementalOptions& options) {
  Pending pending(set, kOverlayWorkMax);
  for (const auto& [cube, d] : deltas) QA_RETURN_IF_ERROR(pending.AddStored(cube, *d));
  QA_RETURN_IF_ERROR(Propagate(set, pending, options));
  return pending.Flush();
}

Result<std::vector<DerivedChange>> DerivedChangesOf(
    const RuleSet& set, const std::vector<std::pair<size_t, const AtomDeltas*>>& deltas,
    size_t cube, const IncrementalOptions& options) {
  Pending pending(set, kOverlayWorkMax, /*dry_run=*/true);
  for (const auto& [c, d] : deltas) QA_RETURN_IF_ERROR(pending.AddStored(c, *d));
  QA_RETURN_IF_ERROR(Propagate(set, pending, options));
  std::vector<DerivedChange> out;
  for (const auto& [key, change] : pending.derived(cube)) out.push_back({key, change.new_value});
  std::sort(out.begin(), out.end(),
            [](const DerivedChange& a, const DerivedChange& b) { return a.key < b.key; });
  return out;
}

}  // namespace quantatom::rules
