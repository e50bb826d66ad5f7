#include "db/apply.h"

#include "db/structure_change.h"
#include "db/workspace_log.h"

namespace quantatom {

Status ApplyTransaction(Model& model, const Transaction& txn) {
  if (IsStructureChange(txn.kind)) return ApplyStructureChange(model, txn);
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
