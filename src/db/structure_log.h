// The parameters of structure changes as the log keeps them (JSON text in
// Transaction::parameters), and back. Text that is not UTF-8 cannot be
// JSON: making parameters of it is kInvalidArgument. Reading a logged
// transaction, malformed parameters are kCorruption.
#pragma once

#include <string>
#include <vector>

#include "quantatom/status.h"
#include "quantatom/structure.h"
#include "quantatom/transaction.h"

namespace quantatom {

Result<std::string> CreateDimensionParameters(const std::string& name, const std::string& csv);
Result<std::string> CreateCubeParameters(const std::string& name,
                                         const std::vector<std::string>& dimensions);
// {"name"} of a dimension or cube to delete; {"name", "atoms"} for a cube.
Result<std::string> DeleteParameters(const std::string& name);
Result<std::string> SaveViewParameters(const std::string& cube, const std::string& name,
                                       const std::string& view);
Result<std::string> DeleteViewParameters(const std::string& cube, const std::string& name);

// A member change: its kind is the transaction's (kAddMember ... kDeleteMember).
OperationKind MemberChangeOperation(MemberChange::Kind kind);
Result<std::string> MemberChangeParameters(const MemberChange& change);
Result<MemberChange> MemberChangeOf(const Transaction& txn);

struct CreateDimensionArgs {
  std::string name, csv;
};
struct CreateCubeArgs {
  std::string name;
  std::vector<std::string> dimensions;
};
struct ViewArgs {
  std::string cube, name, view;  // view: "" for a delete
};
Result<CreateDimensionArgs> CreateDimensionOf(const Transaction& txn);
Result<CreateCubeArgs> CreateCubeOf(const Transaction& txn);
Result<std::string> DeletedNameOf(const Transaction& txn);
Result<ViewArgs> ViewOf(const Transaction& txn);

}  // namespace quantatom
