#include "quantatom/transaction.h"

namespace quantatom {

void AtomDeltas::Reserve(size_t n) {
  members_.reserve(n * dims_);
  flags_.reserve(n);
  old_values_.reserve(n);
  new_values_.reserve(n);
}

void AtomDeltas::Add(const MemberId* coordinate, std::optional<double> old_value,
                     std::optional<double> new_value) {
  members_.insert(members_.end(), coordinate, coordinate + dims_);
  flags_.push_back((old_value ? kHasOld : 0) | (new_value ? kHasNew : 0));
  old_values_.push_back(old_value.value_or(0));
  new_values_.push_back(new_value.value_or(0));
}

std::optional<double> AtomDeltas::old_value(size_t i) const {
  return flags_[i] & kHasOld ? std::optional<double>(old_values_[i]) : std::nullopt;
}

std::optional<double> AtomDeltas::new_value(size_t i) const {
  return flags_[i] & kHasNew ? std::optional<double>(new_values_[i]) : std::nullopt;
}

const char* OperationKindName(OperationKind kind) {
  switch (kind) {
    case OperationKind::kWriteBatch:
      return "write";
    case OperationKind::kLoad:
      return "load";
    case OperationKind::kCreateDimension:
      return "create_dimension";
    case OperationKind::kCreateCube:
      return "create_cube";
    case OperationKind::kUndo:
      return "undo";
  }
  return "unknown";
}

}  // namespace quantatom
