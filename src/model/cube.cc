#include "quantatom/cube.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>

#include "calc/consolidator.h"
#include "model/cube_impl.h"
#include "model/partition_deltas.h"
#include "store/bulk_build.h"

namespace quantatom {

namespace {

// Sums duplicate keys into partitions; every value and every sum must be finite.
Result<BulkBuildResult> BuildChecked(Cube::BulkAtoms atoms, int inner_bits) {
  if (atoms.keys.size() != atoms.values.size())
    return Status::Invalid("bulk load: keys and values differ in length");
  for (double v : atoms.values)
    if (!std::isfinite(v)) return Status::Invalid("bulk load: a value is not a finite number");
  BulkBuildResult built =
      BuildPartitions(std::move(atoms.keys), std::move(atoms.values), inner_bits);
  for (const Partition& p : built.partitions)
    for (double v : p.values)
      if (!std::isfinite(v))
        return Status::Invalid(
            "bulk load: rows at one coordinate sum to a value that is not finite");
  return built;
}

}  // namespace

Result<std::shared_ptr<Cube>> Cube::Create(std::string name,
                                           std::vector<std::shared_ptr<const Dimension>> dims,
                                           CubeOptions options) {
  if (name.empty()) return Status::Invalid("a cube needs a name");
  if (dims.empty()) return Status::Invalid("cube '" + name + "' needs at least one dimension");
  if (dims.size() > kCubeDimensionsMax)
    return Status::Limit("cube '" + name + "' has " + std::to_string(dims.size()) +
                         " dimensions; the limit is " + std::to_string(kCubeDimensionsMax));
  std::vector<size_t> leaf_counts;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i]->member_count() == 0)
      return Status::Invalid("dimension '" + dims[i]->name() + "' has no members");
    for (size_t j = 0; j < i; ++j)
      if (FoldCase(dims[j]->name()) == FoldCase(dims[i]->name()))
        return Status::Invalid("cube '" + name + "' lists dimension '" + dims[i]->name() +
                               "' twice");
    leaf_counts.push_back(dims[i]->leaf_count());
  }
  auto layout = KeyLayout::Create(leaf_counts, options.partition_inner_bits_min);
  if (!layout.ok())
    return Status(layout.status().code(), "cube '" + name + "': " + layout.status().message());
  auto impl = std::make_unique<Impl>(std::move(name), std::move(dims), options, std::move(*layout));
  return std::shared_ptr<Cube>(new Cube(std::move(impl)));
}

Cube::Cube(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cube::~Cube() = default;

const std::string& Cube::name() const { return impl_->name; }
const std::vector<std::shared_ptr<const Dimension>>& Cube::dimensions() const {
  return impl_->dims;
}

std::optional<size_t> Cube::DimensionIndex(std::string_view name) const {
  std::string folded = FoldCase(name);
  for (size_t d = 0; d < impl_->dims.size(); ++d)
    if (FoldCase(impl_->dims[d]->name()) == folded) return d;
  return std::nullopt;
}

Result<Coordinate> Cube::Resolve(std::span<const std::string> names) const {
  const auto& dims = impl_->dims;
  if (names.size() != dims.size())
    return Status::Invalid("cube '" + impl_->name + "' has " + std::to_string(dims.size()) +
                           " dimensions, the cell names " + std::to_string(names.size()) +
                           " members");
  Coordinate c(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    auto m = dims[d]->Find(names[d]);
    if (!m)
      return Status::NotFound("unknown member '" + names[d] + "' of dimension '" + dims[d]->name() +
                              "'");
    c[d] = *m;
  }
  return c;
}

bool Cube::Impl::IsLeafCoordinate(const Coordinate& c) const {
  for (size_t d = 0; d < dims.size(); ++d)
    if (!dims[d]->is_leaf(c[d])) return false;
  return true;
}

uint64_t Cube::Impl::KeyOf(const Coordinate& c) const {
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t d = 0; d < dims.size(); ++d) leaves[d] = dims[d]->leaf_ordinal(c[d]);
  return layout.Pack(leaves);
}

namespace {

Status CheckCoordinate(const Cube::Impl& cube, const Coordinate& c) {
  if (c.size() != cube.dims.size())
    return Status::Invalid("a coordinate of cube '" + cube.name + "' needs " +
                           std::to_string(cube.dims.size()) + " members, got " +
                           std::to_string(c.size()));
  for (size_t d = 0; d < c.size(); ++d) {
    if (c[d] >= cube.dims[d]->size())
      return Status::NotFound("member id " + std::to_string(c[d]) + " is not in dimension '" +
                              cube.dims[d]->name() + "'");
    if (cube.dims[d]->deleted(c[d]))
      return Status::NotFound("member '" + cube.dims[d]->member_name(c[d]) +
                              "' was deleted from dimension '" + cube.dims[d]->name() + "'");
  }
  return Status::Ok();
}

std::string Describe(const Cube::Impl& cube, const Coordinate& c) {
  std::string out = "(";
  for (size_t d = 0; d < c.size(); ++d) out += (d ? ", " : "") + cube.dims[d]->member_name(c[d]);
  return out + ")";
}

Status CheckOverlay(const Cube::Impl& cube, std::span<const SandboxCell> cells) {
  for (const SandboxCell& c : cells) {
    QA_RETURN_IF_ERROR(CheckCoordinate(cube, c.cell));
    if (!cube.IsLeafCoordinate(c.cell))
      return Status::Invalid("overlay cell " + Describe(cube, c.cell) + " is not a leaf cell");
  }
  return Status::Ok();
}

// kFailedPrecondition when a rule computes the leaf cell at `key`: cells
// computed by rules are read-only.
Status RefuseDerived(const Cube::Impl& cube, const CubeRulesHook& rules, uint64_t key,
                     const std::string& what) {
  LeafOrdinal leaves[kCubeDimensionsMax];
  cube.layout.Unpack(key, leaves);
  std::string rule = rules.RuleAtLeaf(leaves);
  if (rule.empty()) return Status::Ok();
  Coordinate cell(cube.dims.size());
  for (size_t d = 0; d < cell.size(); ++d) cell[d] = cube.dims[d]->leaf_member(leaves[d]);
  return Status::Precondition(what + " " + Describe(cube, cell) + ": the cell is computed by " +
                              rule + " of cube '" + cube.name +
                              "'; cells computed by rules are read-only");
}

// Computes cells one consolidation at a time when their members, crossed,
// would be far more cells than asked for.
constexpr size_t kCrossSlack = 1024;

}  // namespace

std::vector<CellAggregate> Cube::Impl::Aggregates(const std::vector<Coordinate>& cells) const {
  std::vector<CellAggregate> out(cells.size());
  std::vector<CellKey> keys;
  std::vector<size_t> consolidated;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (IsLeafCoordinate(cells[i])) {
      auto v = AtomAt(KeyOf(cells[i]));
      out[i] = v ? CellAggregate{*v, 1} : CellAggregate{};
    } else {
      consolidated.push_back(i);
      keys.push_back(CellKey::Of(cells[i]));
    }
  }
  std::vector<std::optional<CellAggregate>> cached(keys.size());
  if (cache.LookupAll(keys, cached) == keys.size()) {
    for (size_t k = 0; k < keys.size(); ++k) out[consolidated[k]] = *cached[k];
    return out;
  }
  // Targets: the distinct members of the missing cells, per dimension.
  std::vector<std::vector<MemberId>> targets(dims.size());
  std::vector<size_t> missing;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (cached[k]) {
      out[consolidated[k]] = *cached[k];
      continue;
    }
    missing.push_back(k);
    for (size_t d = 0; d < dims.size(); ++d) targets[d].push_back(keys[k].members[d]);
  }
  size_t cross = 1;
  for (auto& t : targets) {
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    cross = std::min(cross * t.size(), SIZE_MAX / 2);
  }
  ConsolidationInput in{&store, &derived, &layout, &dims, options.stage_slots_max};
  std::vector<CellAggregate> computed;
  if (cross > 4 * missing.size() + kCrossSlack) {
    for (size_t k : missing) {
      std::vector<std::vector<MemberId>> one(dims.size());
      for (size_t d = 0; d < dims.size(); ++d) one[d] = {keys[k].members[d]};
      computed.push_back(Consolidate(in, one).cells[0]);
    }
  } else {
    CellTensor tensor = Consolidate(in, targets);
    for (size_t k : missing) {
      size_t index = 0;
      for (size_t d = 0; d < dims.size(); ++d) {
        size_t pos = std::lower_bound(targets[d].begin(), targets[d].end(), keys[k].members[d]) -
                     targets[d].begin();
        index += pos * tensor.strides[d];
      }
      computed.push_back(tensor.cells[index]);
    }
  }
  std::vector<CellKey> missing_keys;
  for (size_t j = 0; j < missing.size(); ++j) {
    out[consolidated[missing[j]]] = computed[j];
    missing_keys.push_back(keys[missing[j]]);
  }
  cache.InsertAll(missing_keys, computed);
  return out;
}

Result<std::vector<CellAggregate>> Cube::Impl::ReadAggregates(
    const std::vector<Coordinate>& cells) const {
  std::shared_ptr<const CubeRulesHook> hook;
  {
    std::shared_lock lock(mu);
    if (!rules || !rules->HasConsolidatedRules()) return Aggregates(cells);
    hook = rules;
  }
  return hook->Read(*this, cells);
}

Result<std::optional<double>> Cube::ReadCell(const Coordinate& c) const {
  QA_RETURN_IF_ERROR(CheckCoordinate(*impl_, c));
  QA_ASSIGN_OR_RETURN(std::vector<CellAggregate> agg, impl_->ReadAggregates({c}));
  if (agg[0].atoms == 0) return std::optional<double>();
  return std::optional<double>(agg[0].sum);
}

Result<std::vector<std::optional<double>>> Cube::ReadCells(
    const std::vector<Coordinate>& cells) const {
  for (const Coordinate& c : cells) QA_RETURN_IF_ERROR(CheckCoordinate(*impl_, c));
  QA_ASSIGN_OR_RETURN(std::vector<CellAggregate> aggs, impl_->ReadAggregates(cells));
  std::vector<std::optional<double>> out(cells.size());
  for (size_t i = 0; i < cells.size(); ++i)
    if (aggs[i].atoms) out[i] = aggs[i].sum;
  return out;
}

Result<std::vector<uint64_t>> Cube::KeysOf(const WriteBatch& batch) const {
  const Impl& cube = *impl_;
  const std::shared_ptr<const CubeRulesHook> rules = cube.Rules();
  std::vector<uint64_t> keys;
  keys.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const WriteBatch::Entry& e = batch.entries()[i];
    QA_RETURN_IF_ERROR(CheckCoordinate(cube, e.coordinate));
    for (size_t d = 0; d < e.coordinate.size(); ++d)
      if (!cube.dims[d]->is_leaf(e.coordinate[d]))
        return Status::Precondition("write #" + std::to_string(i + 1) + " " +
                                    Describe(cube, e.coordinate) + ": '" +
                                    cube.dims[d]->member_name(e.coordinate[d]) +
                                    "' is consolidated; only leaf cells can be written");
    if (e.value && !std::isfinite(*e.value))
      return Status::Invalid("write #" + std::to_string(i + 1) + " " +
                             Describe(cube, e.coordinate) + ": the value is not a finite number");
    keys.push_back(cube.KeyOf(e.coordinate));
    if (rules)
      QA_RETURN_IF_ERROR(
          RefuseDerived(cube, *rules, keys.back(), "write #" + std::to_string(i + 1)));
  }
  return keys;
}

namespace {

// Sorted by key; for a key changed twice the last change wins.
std::vector<AtomChange> LastWins(std::vector<AtomChange> changes) {
  std::stable_sort(changes.begin(), changes.end(), [](auto& a, auto& b) { return a.key < b.key; });
  size_t w = 0;
  for (size_t r = 0; r < changes.size(); ++r) {
    if (r + 1 < changes.size() && changes[r + 1].key == changes[r].key) continue;
    changes[w++] = changes[r];
  }
  changes.resize(w);
  return changes;
}

// Atoms with ascending, unique keys into an empty cube: cut into partitions
// directly. False (nothing done) when the cube holds atoms or the atoms are
// few (then the cache is worth updating cell by cell).
bool AdoptIntoEmpty(Cube::Impl& cube, std::span<const uint64_t> keys,
                    std::span<const double> values) {
  if (keys.size() <= cube.options.cache_delta_changes_max) return false;
  std::unique_lock lock(cube.mu);
  if (cube.store.atom_count() != 0) return false;
  cube.store.AdoptPartitions(PartitionSorted(keys, values, cube.layout.inner_bits()));
  cube.cache.Clear();
  return true;
}

// Why delta `i` was refused: a value that is not finite, or a member that
// is not a leaf of its dimension.
Status BadDelta(const Cube::Impl& cube, const AtomDeltas& deltas, size_t i) {
  if (auto value = deltas.new_value(i); value && !std::isfinite(*value))
    return Status::Invalid("delta #" + std::to_string(i + 1) + " is not finite");
  auto coordinate = deltas.coordinate(i);
  size_t d = 0;
  while (coordinate[d] < cube.dims[d]->size() && cube.dims[d]->is_leaf(coordinate[d])) ++d;
  return Status::Invalid("delta #" + std::to_string(i + 1) +
                         " does not name a leaf of dimension '" + cube.dims[d]->name() + "'");
}

}  // namespace

Status Cube::Write(const WriteBatch& batch) {
  QA_ASSIGN_OR_RETURN(std::vector<uint64_t> keys, KeysOf(batch));
  std::vector<AtomChange> changes;
  changes.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto& value = batch.entries()[i].value;
    changes.push_back({keys[i], value.value_or(0), !value});
  }
  impl_->ApplyChanges(LastWins(std::move(changes)));
  return Status::Ok();
}

Status Cube::ApplyDeltas(const AtomDeltas& deltas) {
  Impl& cube = *impl_;
  if (deltas.size() > 0 && deltas.dims() != cube.dims.size())
    return Status::Invalid("deltas have " + std::to_string(deltas.dims()) +
                           " members per atom, cube '" + cube.name + "' has " +
                           std::to_string(cube.dims.size()) + " dimensions");
  const size_t n = deltas.size();
  std::vector<uint64_t> keys(n);
  // Millions of deltas (a load, a snapshot) are packed in parallel; the
  // first bad delta by position is the one reported.
  std::atomic<size_t> first_bad{SIZE_MAX};
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 1 << 14), [&](const auto& r) {
    LeafOrdinal leaves[kCubeDimensionsMax];
    for (size_t i = r.begin(); i < r.end(); ++i) {
      auto coordinate = deltas.coordinate(i);
      auto value = deltas.new_value(i);
      bool ok = !value || std::isfinite(*value);
      for (size_t d = 0; ok && d < coordinate.size(); ++d) {
        ok = coordinate[d] < cube.dims[d]->size() && cube.dims[d]->is_leaf(coordinate[d]);
        if (ok) leaves[d] = cube.dims[d]->leaf_ordinal(coordinate[d]);
      }
      if (!ok) {
        for (size_t seen = first_bad; i < seen && !first_bad.compare_exchange_weak(seen, i);) {
        }
        return;
      }
      keys[i] = cube.layout.Pack(leaves);
    }
  });
  if (size_t i = first_bad; i != SIZE_MAX) return BadDelta(cube, deltas, i);
  // Loads and snapshots come in key order already: no sort needed, and into
  // an empty cube they are cut into partitions directly.
  const bool ascending =
      std::adjacent_find(keys.begin(), keys.end(), std::greater_equal<>()) == keys.end();
  const auto flags = deltas.flags();
  const bool all_set =
      std::all_of(flags.begin(), flags.end(), [](uint8_t f) { return f & AtomDeltas::kHasNew; });
  if (ascending && all_set && AdoptIntoEmpty(cube, keys, deltas.new_values())) return Status::Ok();
  std::vector<AtomChange> changes(n);
  for (size_t i = 0; i < n; ++i) {
    auto value = deltas.new_value(i);
    changes[i] = {keys[i], value.value_or(0), !value};
  }
  cube.ApplyChanges(ascending ? std::move(changes) : LastWins(std::move(changes)));
  return Status::Ok();
}

void Cube::Impl::ApplyChanges(std::vector<AtomChange> stored,
                              std::vector<AtomChange> derived_changes) {
  std::unique_lock lock(mu);
  ApplyLocked(store, stored);
  ApplyLocked(derived, derived_changes);
}

void Cube::Impl::ApplyLocked(AtomStore& target, std::span<const AtomChange> sorted) {
  if (sorted.empty()) return;
  if (sorted.size() > options.cache_delta_changes_max) {
    target.Apply(sorted);
    cache.Clear();  // cheaper than millions of cell deltas
    return;
  }
  std::vector<std::optional<double>> old_values;
  target.Apply(sorted, &old_values);
  UpdateCache(sorted, old_values);
}

std::optional<AtomStore::Located> Cube::Impl::LocateStored(
    std::span<const AtomChange> sorted) const {
  std::shared_lock lock(mu);
  return store.Locate(sorted);
}

void Cube::Impl::ApplyStored(const std::optional<AtomStore::Located>& located,
                             std::vector<AtomChange> sorted) {
  std::unique_lock lock(mu);
  const bool deltas = sorted.size() <= options.cache_delta_changes_max;
  std::vector<std::optional<double>> old_values;
  if (!located || !store.ApplyLocated(*located, sorted, deltas ? &old_values : nullptr))
    return ApplyLocked(store, sorted);
  if (deltas)
    UpdateCache(sorted, old_values);
  else
    cache.Clear();
}

void Cube::Impl::UpdateCache(std::span<const AtomChange> sorted,
                             const std::vector<std::optional<double>>& old_values) {
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t i = 0; i < sorted.size(); ++i) {
    const AtomChange& c = sorted[i];
    double delta = (c.erase ? 0 : c.value) - old_values[i].value_or(0);
    int atoms_delta = (c.erase ? 0 : 1) - (old_values[i] ? 1 : 0);
    if (delta == 0 && atoms_delta == 0) continue;
    layout.Unpack(c.key, leaves);
    cache.ApplyDelta(dims, {leaves, dims.size()}, delta, atoms_delta);
  }
}

std::vector<std::optional<double>> Cube::ReadAtoms(std::span<const uint64_t> keys) const {
  std::shared_lock lock(impl_->mu);
  std::vector<std::optional<double>> out;
  out.reserve(keys.size());
  for (uint64_t k : keys) out.push_back(impl_->AtomAt(k));
  return out;
}

struct Cube::PreparedLoad::State {
  const Cube::Impl& cube;
  std::vector<Partition> partitions;
  BulkResult result;
  std::unique_ptr<PartitionDeltas> deltas;  // over `partitions`
};

Cube::PreparedLoad::PreparedLoad(std::unique_ptr<State> state) : state_(std::move(state)) {}
Cube::PreparedLoad::~PreparedLoad() = default;
const Cube::BulkResult& Cube::PreparedLoad::result() const { return state_->result; }
size_t Cube::PreparedLoad::dims() const { return state_->deltas->dims(); }
size_t Cube::PreparedLoad::size() const { return state_->deltas->size(); }

void Cube::PreparedLoad::Fill(size_t begin, size_t end, Chunk& chunk) const {
  std::shared_lock lock(state_->cube.mu);  // for the old values
  state_->deltas->Fill(begin, end, chunk);
}

Result<std::unique_ptr<Cube::PreparedLoad>> Cube::PrepareLoad(BulkAtoms atoms) const {
  QA_ASSIGN_OR_RETURN(BulkBuildResult built,
                      BuildChecked(std::move(atoms), impl_->layout.inner_bits()));
  if (auto rules = impl_->Rules()) {
    for (const Partition& p : built.partitions)
      for (size_t i = 0; i < p.keys.size(); ++i)
        QA_RETURN_IF_ERROR(
            RefuseDerived(*impl_, *rules, impl_->store.Key(p, i), "the load's cell"));
  }
  auto state = std::unique_ptr<PreparedLoad::State>(new PreparedLoad::State{*impl_, {}, {}, {}});
  state->partitions = std::move(built.partitions);
  state->result.duplicates = built.duplicates;
  for (const Partition& p : state->partitions) state->result.atoms_written += p.keys.size();
  // The cube's atoms are read under the lock Fill holds.
  state->deltas = std::make_unique<PartitionDeltas>(state->partitions, impl_->layout, impl_->dims,
                                                    &impl_->store);
  return std::unique_ptr<PreparedLoad>(new PreparedLoad(std::move(state)));
}

void Cube::ApplyLoad(PreparedLoad& load) {
  std::vector<Partition> partitions = std::move(load.state_->partitions);
  load.state_->partitions.clear();
  std::unique_lock lock(impl_->mu);
  AtomStore& store = impl_->store;
  if (store.atom_count() == 0) {
    store.AdoptPartitions(std::move(partitions));
    impl_->cache.Clear();
    return;
  }
  std::vector<AtomChange> changes;
  changes.reserve(load.state_->result.atoms_written);
  for (const Partition& p : partitions)
    for (size_t i = 0; i < p.keys.size(); ++i)
      changes.push_back({store.Key(p, i), p.values[i], false});
  lock.unlock();
  impl_->ApplyChanges(std::move(changes));
}

std::unique_ptr<DeltaSource> Cube::AtomsAsDeltas() const {
  return std::make_unique<PartitionDeltas>(impl_->store.partitions(), impl_->layout, impl_->dims,
                                           nullptr);
}

uint64_t Cube::PackLeaves(const LeafOrdinal* leaves) const { return impl_->layout.Pack(leaves); }
void Cube::UnpackKey(uint64_t key, LeafOrdinal* leaves) const { impl_->layout.Unpack(key, leaves); }

Result<Cube::BulkResult> Cube::BulkLoad(BulkAtoms atoms) {
  QA_ASSIGN_OR_RETURN(auto load, PrepareLoad(std::move(atoms)));
  ApplyLoad(*load);
  return load->result();
}

Result<Grid> Cube::Query(const ViewSpec& view) const { return RunQuery(*impl_, view); }

Result<Cube::GridDelta> Cube::OverlayDelta(const ViewSpec& view,
                                           std::span<const SandboxCell> cells) const {
  QA_RETURN_IF_ERROR(CheckOverlay(*impl_, cells));
  return OverlayDeltaOf(*impl_, view, cells);
}

Result<Grid> Cube::QueryAdjusted(const ViewSpec& view, const GridDelta& delta) const {
  return RunQuery(*impl_, view, &delta);
}

Result<Grid> Cube::QueryWith(const ViewSpec& view, std::span<const SandboxCell> cells) const {
  QA_RETURN_IF_ERROR(CheckOverlay(*impl_, cells));
  return RunQuery(*impl_, view, nullptr, cells);
}
Status Cube::CheckView(const ViewSpec& view) const { return CheckQuery(*impl_, view); }

void Cube::ForEachAtom(const std::function<void(const AtomRef&)>& fn) const {
  std::shared_lock lock(impl_->mu);
  std::vector<LeafOrdinal> leaves(impl_->dims.size());
  for (const Partition& p : impl_->store.partitions()) {
    for (size_t i = 0; i < p.keys.size(); ++i) {
      impl_->layout.Unpack(impl_->store.Key(p, i), leaves.data());
      fn(AtomRef{leaves, p.values[i]});
    }
  }
}

void Cube::ClearCache() const { impl_->cache.Clear(); }

CubeStats Cube::Stats() const {
  std::shared_lock lock(impl_->mu);
  return {impl_->store.atom_count(), impl_->store.partitions().size(), impl_->store.bytes(),
          impl_->cache.size(),       impl_->derived.atom_count(),      impl_->derived.bytes()};
}

}  // namespace quantatom
