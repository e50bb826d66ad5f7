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

}  // namespace quantatom
