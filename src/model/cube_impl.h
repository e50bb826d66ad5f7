// The inside of a Cube, shared by the files that implement it.
#pragma once

#include <shared_mutex>

#include "calc/cell_cache.h"
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
        cache(options.cache_cells_max) {}

  const std::string name;
  const std::vector<std::shared_ptr<const Dimension>> dims;
  const CubeOptions options;
  const KeyLayout layout;

  // Readers share it; a write batch holds it exclusively, so a reader sees
  // a batch whole or not at all.
  mutable std::shared_mutex mu;
  AtomStore store;
  mutable CellCache cache;

  bool IsLeafCoordinate(const Coordinate& c) const;
  // Applies changes sorted by unique key under the write lock and keeps
  // the cache current.
  void ApplyChanges(std::vector<AtomChange> sorted);
  uint64_t KeyOf(const Coordinate& leaf_coordinate) const;
  // Aggregates of the given cells (any mix of leaf and consolidated),
  // from the cache where possible. REQUIRES: `mu` held shared.
  std::vector<CellAggregate> Aggregates(const std::vector<Coordinate>& cells) const;
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
