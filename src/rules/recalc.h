// Keeping derived atoms current: a whole recomputation of rules (after a
// change of rules or structure, a large load, opening a data directory),
// and the incremental one after a data change, which recomputes only the
// cells the changed atoms feed.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "quantatom/transaction.h"
#include "rules/rule_set.h"
#include "store/atom_store.h"

namespace quantatom::rules {

// Puts `atoms` (ComputeLeafRule's) in place of rule `rule`'s derived atoms;
// `changed`, when given, receives the keys whose value changed.
Status ReplaceRuleAtoms(const RuleSet& set, size_t rule, std::vector<Partition> atoms,
                        std::vector<uint64_t>* changed = nullptr);

// Recomputes whole every leaf rule of the cubes flagged in `rules_changed`
// and every leaf rule reading (transitively) a cube flagged in either;
// derived atoms of a `rules_changed` cube that no rule computes any more
// are dropped.
Status Recompute(const RuleSet& set, const std::vector<bool>& rules_changed,
                 const std::vector<bool>& inputs_changed);

// Applies atom deltas (schema cube index, deltas; as a data transaction
// logs them) and recomputes the derived atoms they reach. What the rules
// derive is computed before anything is applied, so each cube's stored and
// derived changes are applied together, under one lock; a change reaching
// more than `incremental_cells_max` cells of a rule recomputes that rule
// whole instead (its cube then shows the stored change a moment before).
struct IncrementalOptions {
  size_t incremental_cells_max = 200'000;
};
Status ApplyDeltas(const RuleSet& set,
                   const std::vector<std::pair<size_t, const AtomDeltas*>>& deltas,
                   const IncrementalOptions& options = {});

// The derived atoms of schema cube `cube` that `deltas` would change, as
// ApplyDeltas computes them, with nothing applied: what rules show through
// a sandbox. Keys ascending; a value nullopt empties the atom. kLimit where
// ApplyDeltas would recompute a rule whole or apply what it has so far.
// REQUIRES: the model does not change meanwhile (the caller holds off commits).
struct DerivedChange {
  uint64_t key;
  std::optional<double> value;
};
Result<std::vector<DerivedChange>> DerivedChangesOf(
    const RuleSet& set, const std::vector<std::pair<size_t, const AtomDeltas*>>& deltas,
    size_t cube, const IncrementalOptions& options = {});

}  // namespace quantatom::rules
