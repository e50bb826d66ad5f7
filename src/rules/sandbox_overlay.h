// Reading through a sandbox over a cube with rules: the sandbox's leaf
// cells change what leaf rules derive from them, and consolidated rules
// compute from both, so its overlay carries the derived atoms too.
#pragma once

#include <span>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/status.h"
#include "rules/rule_set.h"

namespace quantatom::rules {

// `cells` (leaf cells of `cube`, each once) plus every derived atom of the
// cube they change, computed as an incremental recalculation would compute
// it, with nothing applied; Cube::QueryWith reads a view through it.
// Rules of other cubes reading this one feed back through the same
// computation. kLimit when the changes reach more computed cells than an
// incremental recalculation takes. REQUIRES: the model does not change
// meanwhile (a database holds off its commits).
Result<std::vector<SandboxCell>> OverlayWithRules(const RuleSet& set, const Cube& cube,
                                                  std::span<const SandboxCell> cells);

}  // namespace quantatom::rules
