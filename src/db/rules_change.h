// Rules as logged transactions (OperationKind::kSetRules): a cube's rules
// text is checked against the model on the commit thread before anything
// is logged, then applied by ApplyStructureChange after the commit and in
// replay. Structure changes are checked against the rules too: a change
// that would break them, or put stored atoms where they compute cells, is
// refused.
#pragma once

#include <memory>
#include <string>

#include "quantatom/model.h"
#include "quantatom/structure.h"
#include "quantatom/transaction.h"

namespace quantatom {

// Fills txn (kind, cube, parameters, and the deltas deleting stored atoms
// in cells the rules compute, with `delete_data`), or refuses: as
// CheckRules refuses; kConflict counting those atoms in `report` without
// `delete_data`.
Status PrepareSetRules(const Model& model, const std::string& cube, const std::string& text,
                       bool delete_data, Transaction& txn, StructureReport* report);

// Applies a logged kSetRules: its deltas, then the text into the model.
// The caller reinstalls the rules when they are installed (db/apply.cc).
Status ApplySetRules(Model& model, const Transaction& txn);

// kConflict when the model's rules would not compile with dimension
// `before` replaced by `after` (or with cube `removed_cube` gone, when
// `before` is nullptr), or when stored atoms would lie in cells they compute.
Status CheckRulesAfter(const Model& model, const Dimension* before,
                       std::shared_ptr<const Dimension> after, const std::string& removed_cube);

}  // namespace quantatom
