#include "db/apply.h"

#include "db/structure_change.h"
#include "db/workspace_log.h"
#include "rules/install.h"

namespace quantatom {

namespace {

// After a structure change the rules are compiled again, if installed, and
// what they derive recomputed: the rules of a cube whose rules changed, and
// every rule after a member change (its cubes were re-keyed, without
// derived atoms).
Status ReinstallRules(Model& model, const Transaction& txn) {
  if (!model.rule_set() || !rules::ChangesRuleSchema(txn.kind)) return Status::Ok();
  const auto& cubes = model.cubes();
  std::vector<bool> rules_changed(cubes.size(), false), inputs_changed(cubes.size(), false);
  for (size_t c = 0; c < cubes.size(); ++c) {
    const bool named = FoldCase(cubes[c]->name()) == FoldCase(txn.cube);
    if (txn.kind == OperationKind::kSetRules) {
      rules_changed[c] = inputs_changed[c] = named;
    } else if (txn.kind != OperationKind::kDeleteCube) {
      rules_changed[c] = inputs_changed[c] = true;
    }
  }
  return rules::ReinstallRules(model, rules_changed, inputs_changed);
}

}  // namespace

Status ApplyTransaction(Model& model, const Transaction& txn) {
  if (IsStructureChange(txn.kind)) {
    QA_RETURN_IF_ERROR(ApplyStructureChange(model, txn));
    return ReinstallRules(model, txn);
  }
  switch (txn.kind) {
    case OperationKind::kWriteBatch:
    case OperationKind::kLoad:
    case OperationKind::kUndo:
    case OperationKind::kSpread:
    case OperationKind::kCopySlice:
    case OperationKind::kClearSlice:
    case OperationKind::kAllocate: {
      auto cube = model.FindCube(txn.cube);
      if (!cube)
        return Status::Corruption("transaction " + std::to_string(txn.sequence) + ": no cube '" +
                                  txn.cube + "'");
      if (model.rule_set()) return rules::ApplyDataTransaction(model, txn);
      return cube->ApplyDeltas(txn.deltas);
    }
    case OperationKind::kSetHolds:
    case OperationKind::kSandboxWrite:
    case OperationKind::kSandboxDiscard:
    case OperationKind::kSandboxCommit:
      return ApplyWorkspaceChange(model, txn);
    default:
      return Status::Corruption("transaction " + std::to_string(txn.sequence) +
                                ": unknown operation " +
                                std::to_string(static_cast<int>(txn.kind)));
  }
}

size_t AtomsChanged(const Transaction& txn) {
  size_t n = txn.deltas.size() + txn.omitted_deltas;
  for (const CubeDeltas& c : txn.other_cubes) n += c.deltas.size();
  return n;
}

Transaction StructureRecord(const Transaction& txn) {
  Transaction out;
  out.sequence = txn.sequence;
  out.time_us = txn.time_us;
  out.user = txn.user;
  out.client_txn_id = txn.client_txn_id;
  out.kind = txn.kind;
  out.parameters = txn.parameters;
  out.previous_hash = txn.previous_hash;
  return out;
}

}  // namespace quantatom
