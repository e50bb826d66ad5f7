#include "quantatom/transaction.h"

namespace quantatom {

AtomDeltas AtomDeltas::FromColumns(size_t dims, std::vector<MemberId> members,
                                   std::vector<uint8_t> flags, std::vector<double> old_values,
                                   std::vector<double> new_values) {
  AtomDeltas d(dims);
  d.members_ = std::move(members);
  d.flags_ = std::move(flags);
  d.old_values_ = std::move(old_values);
  d.new_values_ = std::move(new_values);
  return d;
}

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
  // A value column stays empty until its first value (a load has no old
  // values): filled with zeros up to the delta before, then the value.
  if (old_value) old_values_.resize(flags_.size() - 1), old_values_.push_back(*old_value);
  if (new_value) new_values_.resize(flags_.size() - 1), new_values_.push_back(*new_value);
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
