// A grid read through an overlay of leaf cells (a sandbox): the stored
// grid's aggregates corrected by what each overlay cell changes.
#pragma once

#include <span>
#include <vector>

#include "calc/cell_cache.h"
#include "model/cube_impl.h"

namespace quantatom {

// One axis of a grid: its cube dimensions and, per dimension, the header
// members in order (tuple index: the last dimension varies fastest).
struct GridAxis {
  std::vector<size_t> dims;
  std::vector<std::vector<MemberId>> members;
  size_t tuples() const;
};

// Adds to `delta` (rows x columns, row-major) the difference each overlay
// cell makes when it holds its value instead of the stored atom.
// REQUIRES: the cube's read lock held; overlay cells are leaf cells.
void AddOverlay(const Cube::Impl& cube, const GridAxis& rows, const GridAxis& columns,
                const Coordinate& context, std::span<const SandboxCell> overlay,
                Cube::GridDelta& delta);

// The same for a list of cells of any level (the cells a consolidated rule
// reads): `aggregates[i]` of `cells[i]` corrected. kLimit when the pairs of
// overlay cells and cells exceed kOverlayPairsMax. REQUIRES: as AddOverlay.
inline constexpr size_t kOverlayPairsMax = 50'000'000;
Status AddOverlayToCells(const Cube::Impl& cube, std::span<const Coordinate> cells,
                         std::span<const SandboxCell> overlay,
                         std::vector<CellAggregate>& aggregates);

}  // namespace quantatom
