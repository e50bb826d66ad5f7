// A model's rules put to work: compiled from the rules texts the model
// keeps, installed on its cubes (reads, write refusals) and kept in the
// model (Model::rule_set), with the derived atoms computed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "quantatom/model.h"
#include "quantatom/rules.h"
#include "quantatom/transaction.h"
#include "rules/rule_set.h"

namespace quantatom::rules {

// The model's cubes as a schema, with their rules texts; `replaced`, when
// given, puts a text (cube, text) in place of that cube's.
struct ModelRules {
  Schema schema;
  std::vector<std::string> texts;
  std::vector<std::weak_ptr<Cube>> cubes;
};
ModelRules RulesOf(
    const Model& model,
    const std::optional<std::pair<std::string, std::string>>& replaced = std::nullopt);

// Compiles; on an error, `check` says it, with a caret when it is in the
// text of cube `checked` (else naming the cube whose rules it is in).
std::shared_ptr<RuleSet> BuildRules(const ModelRules& rules, std::string_view checked,
                                    RuleCheck* check);

// Installs the rules of the model's texts on its cubes, then recomputes
// the derived atoms: of every rule (`all`), or of the rules of the cubes
// flagged in `rules_changed` and of the rules reading those or the cubes
// in `inputs_changed` (by index in model.cubes()).
Status InstallRules(Model& model);
Status ReinstallRules(Model& model, const std::vector<bool>& rules_changed,
                      const std::vector<bool>& inputs_changed);

// The stored atoms of cube `cube` (index in the set's schema) lying in
// cells its rules compute, as deltas that delete them. `live` is the cube
// now (its dimensions may be older versions than the schema's: member ids
// are stable).
AtomDeltas StoredAtomsInRules(const RuleSet& set, size_t cube, const Cube& live);

// A data transaction applied with the installed rules: the stored deltas,
// and the derived atoms they reach recomputed (rules/recalc.h).
Status ApplyDataTransaction(Model& model, const Transaction& txn);

// kFailedPrecondition naming the first cell and its rule when a rule
// computes the leaf cell of one of `keys` (storage keys of `cube`): `what`
// ("the spread") would change a read-only cell. Up to ten cells are named.
Status RefuseRuleCells(const Cube& cube, std::span<const uint64_t> keys, const std::string& what);

// Forgets every derived atom of the model's cubes (and their cached
// cells), so that a recomputation starts from nothing (benchmarks time it).
void DropDerivedAtoms(const Model& model);

// Kinds of structure change after which the rules are compiled again.
bool ChangesRuleSchema(OperationKind kind);

}  // namespace quantatom::rules
