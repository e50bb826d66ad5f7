// Applying a logged transaction to the in-memory model: the one path used
// both after a commit is durable and when the log is replayed, so recovery
// rebuilds exactly what clients saw.
#pragma once

#include <string>
#include <vector>

#include "quantatom/model.h"
#include "quantatom/transaction.h"

namespace quantatom {

// Parameters of structure changes, as they are logged.
std::string CreateDimensionParameters(const std::string& name, const std::string& csv);
std::string CreateCubeParameters(const std::string& name,
                                 const std::vector<std::string>& dimensions);

// Checks that `txn` can be applied to `model` (names free, dimensions known,
// CSV valid) without changing anything.
Status CheckStructureChange(const Model& model, const Transaction& txn);

// REQUIRES: exclusive access to the model's structure for structure changes.
Status ApplyTransaction(Model& model, const Transaction& txn);

}  // namespace quantatom
