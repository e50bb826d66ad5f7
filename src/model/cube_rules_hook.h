// What a cube's reads and writes ask of its rules. The rules engine
// (src/rules) implements it and installs one on each cube with rules
// (Cube::Impl::rules), so the cube needs to know nothing of rules.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "calc/cell_cache.h"
#include "quantatom/cube.h"
#include "quantatom/status.h"
#include "quantatom/write_batch.h"

namespace quantatom {

class CubeRulesHook {
 public:
  virtual ~CubeRulesHook() = default;
  // The rule computing the leaf cell at `leaves` (leaf ordinals in cube
  // order), described for a refusal ("the leaf rule at line 3, [Account:
  // Revenue]"); "" when no rule computes it.
  virtual std::string RuleAtLeaf(const LeafOrdinal* leaves) const = 0;
  // Whether consolidated rules compute some cells of the cube.
  virtual bool HasConsolidatedRules() const = 0;
  // Reads `cells` (any mix of levels) of `cube`, the cube this hook is
  // installed on, computing the cells of its consolidated rules; the cube's
  // own cells as they read with `overlay` (leaf cells: a sandbox's, with
  // the derived atoms they change) holding its values.
  // REQUIRES: no lock of the cube held.
  virtual Result<std::vector<CellAggregate>> Read(
      const Cube::Impl& cube, const std::vector<Coordinate>& cells,
      std::span<const SandboxCell> overlay = {}) const = 0;
};

}  // namespace quantatom
