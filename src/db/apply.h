// Applying a logged transaction to the in-memory model: the one path used
// both after a commit is durable and when the log is replayed, so recovery
// rebuilds exactly what clients saw.
#pragma once

#include "quantatom/model.h"
#include "quantatom/transaction.h"

namespace quantatom {

// REQUIRES: exclusive access to the model's structure for structure changes.
Status ApplyTransaction(Model& model, const Transaction& txn);

// The atoms a transaction changed: its CommitResult's atoms_changed.
size_t AtomsChanged(const Transaction& txn);

// A structure change as a snapshot keeps it: without the deltas of the atoms
// it removed (the snapshot's loads hold the atoms that are left).
Transaction StructureRecord(const Transaction& txn);

}  // namespace quantatom
