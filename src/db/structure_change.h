// Structure changes (dimensions, cubes, members, saved views). Each is
// checked and made into its transaction on the commit thread by a Prepare
// function, which reads the model and changes nothing; the logged
// transaction is then applied by ApplyStructureChange, the same after the
// commit and in replay. What Prepare accepts, apply always can do.
#pragma once

#include <string>
#include <vector>

#include "quantatom/model.h"
#include "quantatom/structure.h"
#include "quantatom/transaction.h"

namespace quantatom {

// Each fills txn's kind, parameters and deltas, or fails with the reason:
// kNotFound (an unknown name), kAlreadyExists, kInvalidArgument (a bad
// name, CSV or view), kConflict (a dimension a cube uses; atoms in the way
// without delete_data, counted in `report`).
Status PrepareCreateDimension(const Model& model, const std::string& name, const std::string& csv,
                              Transaction& txn);
Status PrepareCreateCube(const Model& model, const std::string& name,
                         const std::vector<std::string>& dimensions, Transaction& txn);
Status PrepareDeleteDimension(const Model& model, const std::string& name, Transaction& txn);
Status PrepareDeleteCube(const Model& model, const std::string& name, bool delete_data,
                         Transaction& txn, StructureReport* report);
Status PrepareMemberChange(const Model& model, const MemberChange& change, Transaction& txn,
                           StructureReport* report);
Status PrepareSaveView(const Model& model, const std::string& cube, const std::string& name,
                       const std::string& view, Transaction& txn);
Status PrepareDeleteView(const Model& model, const std::string& cube, const std::string& name,
                         Transaction& txn);

// REQUIRES: IsStructureChange(txn.kind); exclusive access to the model's
// structure. Cubes over a changed dimension are replaced by re-keyed copies
// (Cube::WithDimensions), so a reader holding the old one reads it whole.
Status ApplyStructureChange(Model& model, const Transaction& txn);

// The cubes of `model` built over `dim` (this version of it).
std::vector<std::shared_ptr<Cube>> CubesOver(const Model& model, const Dimension& dim);

}  // namespace quantatom
