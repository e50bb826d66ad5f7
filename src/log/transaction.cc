#include "quantatom/transaction.h"

#include <algorithm>

#include "util/memory_release.h"

namespace quantatom {

AtomDeltas::~AtomDeltas() {
  ReleaseGently(members_);
  ReleaseGently(flags_);
  ReleaseGently(old_values_);
  ReleaseGently(new_values_);
}

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

void AtomDeltasSource::Fill(size_t begin, size_t end, Chunk& chunk) const {
  const size_t n = end - begin, dims = d_.dims();
  chunk.size = n;
  chunk.members.resize(n * dims);
  const MemberId* members = d_.members().data() + begin * dims;
  // Rows read once in order, each column written in order: reading a
  // column at a time would stride through every row dims times.
  MemberId* columns = chunk.members.data();
  for (size_t i = 0; i < n; ++i, members += dims)
    for (size_t k = 0; k < dims; ++k) columns[k * n + i] = members[k];
  chunk.flags.assign(d_.flags().begin() + begin, d_.flags().begin() + end);
  // A value column may end before the deltas do (AtomDeltas::Add).
  auto values = [&](std::span<const double> column, std::vector<double>& out) {
    out.assign(n, 0);
    if (column.size() > begin)
      std::copy(column.begin() + begin, column.begin() + std::min(end, column.size()), out.begin());
  };
  values(d_.old_values(), chunk.old_values);
  values(d_.new_values(), chunk.new_values);
}

AtomDeltas DeltasOf(const DeltaSource& source) {
  const size_t n = source.size(), dims = source.dims();
  std::vector<MemberId> members(n * dims);
  std::vector<uint8_t> flags(n);
  std::vector<double> old_values(n), new_values(n);
  DeltaSource::Chunk chunk;
  constexpr size_t kChunk = 1 << 16;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = std::min(n, begin + kChunk), m = end - begin;
    source.Fill(begin, end, chunk);
    for (size_t i = 0; i < m; ++i)
      for (size_t k = 0; k < dims; ++k) members[(begin + i) * dims + k] = chunk.members[k * m + i];
    std::copy(chunk.flags.begin(), chunk.flags.end(), flags.begin() + begin);
    std::copy(chunk.old_values.begin(), chunk.old_values.end(), old_values.begin() + begin);
    std::copy(chunk.new_values.begin(), chunk.new_values.end(), new_values.begin() + begin);
  }
  auto any = [&](uint8_t has) {
    return std::any_of(flags.begin(), flags.end(), [&](uint8_t f) { return (f & has) != 0; });
  };
  if (!any(AtomDeltas::kHasOld)) old_values.clear();
  if (!any(AtomDeltas::kHasNew)) new_values.clear();
  return AtomDeltas::FromColumns(dims, std::move(members), std::move(flags), std::move(old_values),
                                 std::move(new_values));
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
    case OperationKind::kSpread:
      return "spread";
    case OperationKind::kCopySlice:
      return "copy";
    case OperationKind::kClearSlice:
      return "clear";
    case OperationKind::kAllocate:
      return "allocate";
    case OperationKind::kSetHolds:
      return "set_holds";
    case OperationKind::kSandboxWrite:
      return "sandbox_write";
    case OperationKind::kSandboxDiscard:
      return "sandbox_discard";
    case OperationKind::kSandboxCommit:
      return "sandbox_commit";
    case OperationKind::kDeleteDimension:
      return "delete_dimension";
    case OperationKind::kDeleteCube:
      return "delete_cube";
    case OperationKind::kAddMember:
      return "add_member";
    case OperationKind::kUpdateMember:
      return "update_member";
    case OperationKind::kMoveMember:
      return "move_member";
    case OperationKind::kDeleteMember:
      return "delete_member";
    case OperationKind::kSaveView:
      return "save_view";
    case OperationKind::kDeleteView:
      return "delete_view";
    case OperationKind::kSetRules:
      return "set_rules";
  }
  return "unknown";
}

bool IsStructureChange(OperationKind kind) {
  switch (kind) {
    case OperationKind::kCreateDimension:
    case OperationKind::kCreateCube:
    case OperationKind::kDeleteDimension:
    case OperationKind::kDeleteCube:
    case OperationKind::kAddMember:
    case OperationKind::kUpdateMember:
    case OperationKind::kMoveMember:
    case OperationKind::kDeleteMember:
    case OperationKind::kSaveView:
    case OperationKind::kDeleteView:
    case OperationKind::kSetRules:
      return true;
    default:  // data: writes, loads, undos, writeback
      return false;
  }
}

bool IsPrivateChange(OperationKind kind) {
  return kind == OperationKind::kSetHolds || kind == OperationKind::kSandboxWrite ||
         kind == OperationKind::kSandboxDiscard;
}

void ForEachCubeDeltas(const Transaction& txn,
                       const std::function<void(const std::string& cube, const AtomDeltas&)>& fn) {
  if (txn.cube.empty()) return;
  fn(txn.cube, txn.deltas);
  for (const CubeDeltas& c : txn.other_cubes) fn(c.cube, c.deltas);
}

}  // namespace quantatom
