// The inside of a Cube, shared by the files that implement it.
#pragma once

#include <shared_mutex>

#include "calc/cell_cache.h"
#include "model/cube_rules_hook.h"
#include "quantatom/cube.h"
#include "store/atom_store.h"
#include "store/key_layout.h"

namespace quantatom {

struct Cube::Impl {
  Impl(std::string n, std::vector<std::shared_ptr<const Dimension>> d, CubeOptions o, KeyLayout l)
      : name(std::move(n)),
        dims(std::move(d)),
        options(o),
        layout(std::move(l)),
        store(layout.inner_bits()),
        derived(layout.inner_bits()),
        cache(options.cache_cells_max) {}

  const std::string name;
  const std::vector<std::shared_ptr<const Dimension>> dims;
  const CubeOptions options;
  const KeyLayout layout;

  // Readers share it; a write batch holds it exclusively, so a reader sees
  // a batch whole or not at all.
  mutable std::shared_mutex mu;
  AtomStore store;
  // Atoms computed by leaf rules (src/rules): the same layout as the
  // stored ones and never at the same key, read exactly like them.
  AtomStore derived;
  mutable CellCache cache;
  // The cube's rules, for reads and writes; nullptr: none. Under `mu`.
  std::shared_ptr<const CubeRulesHook> rules;

  bool IsLeafCoordinate(const Coordinate& c) const;
  // Applies changes to the stored and to the derived atoms, each sorted by
  // unique key, under one write lock, and keeps the cache current.
  void ApplyChanges(std::vector<AtomChange> stored, std::vector<AtomChange> derived_changes = {});
  // Applies sorted changes to `target` (store or derived), with the cache.
  // REQUIRES: `mu` held exclusively.
  void ApplyLocked(AtomStore& target, std::span<const AtomChange> sorted);
  // ApplyChanges of stored atoms in two steps: where the changes go, found
  // under the read lock (nullopt: some add or erase an atom), then written
  // under the write lock, or by ApplyChanges when the store changed since.
  std::optional<AtomStore::Located> LocateStored(std::span<const AtomChange> sorted) const;
  void ApplyStored(const std::optional<AtomStore::Located>& located,
                   std::vector<AtomChange> sorted);
  // The cache after `sorted` replaced `old_values`. REQUIRES: `mu` held exclusively.
  void UpdateCache(std::span<const AtomChange> sorted,
                   const std::vector<std::optional<double>>& old_values);
  uint64_t KeyOf(const Coordinate& leaf_coordinate) const;
  // A leaf atom, stored or derived. REQUIRES: `mu` held.
  std::optional<double> AtomAt(uint64_t key) const {
    auto v = store.Get(key);
    return v ? v : derived.Get(key);
  }
  // Aggregates of the given cells (any mix of leaf and consolidated),
  // from the cache where possible. REQUIRES: `mu` held shared.
  std::vector<CellAggregate> Aggregates(const std::vector<Coordinate>& cells) const;
  // The same under the read lock, with the cells consolidated rules
  // compute. REQUIRES: no lock held.
  Result<std::vector<CellAggregate>> ReadAggregates(const std::vector<Coordinate>& cells) const;
  // The rules installed, read under the lock (nullptr: none).
  std::shared_ptr<const CubeRulesHook> Rules() const {
    std::shared_lock lock(mu);
    return rules;
  }
};

// Runs a view. REQUIRES: nothing held; takes the read lock itself.
// With `delta` (from OverlayDeltaOf the same view), plus what it adds; with
// `overlay`, plus what it adds as the cube is at the same moment.
Result<Grid> RunQuery(const Cube::Impl& cube, const ViewSpec& view,
                      const Cube::GridDelta* delta = nullptr,
                      std::span<const SandboxCell> overlay = {});
// What `overlay` (leaf cells, validated by the caller) adds to the view's cells.
Result<Cube::GridDelta> OverlayDeltaOf(const Cube::Impl& cube, const ViewSpec& view,
                                       std::span<const SandboxCell> overlay);
// What RunQuery checks before it reads a cell: dimensions, members, limits.
Status CheckQuery(const Cube::Impl& cube, const ViewSpec& view);

}  // namespace quantatom
