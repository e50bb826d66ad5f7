// A transaction: one change to a model as the log (AODL) records it, with
// who, when, what operation, and the resulting atom deltas.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quantatom/dimension.h"

namespace quantatom {

// Values 20 and up are kept for writeback operations.
enum class OperationKind : uint8_t {
  kWriteBatch = 1,       // leaf writes (set and clear)
  kLoad = 2,             // a fact load
  kCreateDimension = 3,  // parameters: the dimension CSV
  kCreateCube = 4,       // parameters: the dimension names
  kUndo = 5,             // compensates an earlier transaction
  // Writeback (quantatom/spread.h, quantatom/slice.h); parameters: the
  // operation as JSON. Kinds 6 to 19 are kept for structure changes.
  kSpread = 20,
  kCopySlice = 21,
  kClearSlice = 22,
  kAllocate = 23,
  // Users' workspaces (quantatom/sandbox.h), private to their user: kept out
  // of the change feed and cell history. A sandbox commit is data.
  kSetHolds = 24,        // parameters: the user's held cells on a cube
  kSandboxWrite = 25,    // deltas: the sandbox's cells (old: its value before)
  kSandboxDiscard = 26,  // parameters: the sandbox
  kSandboxCommit = 27,   // deltas: the cube's atoms the sandbox (or offline edits) changed
  // Structure changes; their parameters are JSON (db/structure_log.h). A
  // member change's deltas are the atoms it removes, of every cube.
  kDeleteDimension = 6,
  kDeleteCube = 7,
  kAddMember = 8,
  kUpdateMember = 9,  // rename, aliases, attributes
  kMoveMember = 10,
  kDeleteMember = 11,
  kSaveView = 12,
  kDeleteView = 13,
  // A cube's rules replaced (quantatom/rules.h); parameters: JSON with the
  // cube and the text. Its deltas are the stored atoms it deletes where the
  // rules now compute cells (only with delete_data).
  kSetRules = 14,
};
const char* OperationKindName(OperationKind kind);
// Changes to dimensions, cubes or saved views (not to atoms alone): a
// snapshot keeps them as logged, and they form commit groups of their own.
bool IsStructureChange(OperationKind kind);
// Changes to a user's holds or sandboxes, no one else's business.
bool IsPrivateChange(OperationKind kind);

using Hash = std::array<uint8_t, 32>;

// Atom deltas of one cube, column-wise so a load of millions stays compact
// (17 bytes and the members per delta): delta i is at members
// [i*dims, i*dims+dims) (leaf ids in cube order), from old to new value,
// either of which may be empty.
class AtomDeltas {
 public:
  static constexpr uint8_t kHasOld = 1, kHasNew = 2;

  AtomDeltas() = default;
  explicit AtomDeltas(size_t dims) : dims_(dims) {}
  AtomDeltas(const AtomDeltas&) = default;
  AtomDeltas(AtomDeltas&&) = default;
  AtomDeltas& operator=(const AtomDeltas&) = default;
  AtomDeltas& operator=(AtomDeltas&&) = default;
  // Large columns go back to the kernel a piece at a time, so that freeing
  // a load's deltas does not stall the commit thread (util/memory_release.h).
  ~AtomDeltas();
  // From whole columns (the codec's way in): members.size() == flags.size()
  // * dims; a value column is empty when no delta has such a value, else as
  // long as the flags, 0 where its flag is absent.
  static AtomDeltas FromColumns(size_t dims, std::vector<MemberId> members,
                                std::vector<uint8_t> flags, std::vector<double> old_values,
                                std::vector<double> new_values);

  size_t dims() const { return dims_; }
  size_t size() const { return flags_.size(); }
  void Reserve(size_t n);
  void Add(const MemberId* coordinate, std::optional<double> old_value,
           std::optional<double> new_value);

  std::span<const MemberId> coordinate(size_t i) const {
    return {members_.data() + i * dims_, dims_};
  }
  std::optional<double> old_value(size_t i) const;
  std::optional<double> new_value(size_t i) const;

  // The columns, for encoders. A value column is shorter than size() when
  // the deltas after its last value have none.
  std::span<const MemberId> members() const { return members_; }
  std::span<const uint8_t> flags() const { return flags_; }
  std::span<const double> old_values() const { return old_values_; }
  std::span<const double> new_values() const { return new_values_; }

 private:
  size_t dims_ = 0;
  std::vector<MemberId> members_;
  std::vector<uint8_t> flags_;
  std::vector<double> old_values_, new_values_;  // 0 where empty
};

// Deltas produced a chunk at a time, for the log's encoder: a load or a
// snapshot of millions of atoms is encoded without building AtomDeltas of it
// first. Chunks are asked for in order and cover [0, size()).
class DeltaSource {
 public:
  struct Chunk {
    size_t size = 0;
    // Column-wise: the member of dimension k of the chunk's delta i is at
    // members[k * size + i].
    std::vector<MemberId> members;
    std::vector<uint8_t> flags;                  // AtomDeltas::kHasOld | kHasNew
    std::vector<double> old_values, new_values;  // `size` each, 0 where absent
  };
  virtual ~DeltaSource() = default;
  virtual size_t dims() const = 0;
  virtual size_t size() const = 0;
  // Fills `chunk` with the deltas [begin, end), reusing its buffers.
  virtual void Fill(size_t begin, size_t end, Chunk& chunk) const = 0;
};

// The deltas of an AtomDeltas as a source.
class AtomDeltasSource final : public DeltaSource {
 public:
  explicit AtomDeltasSource(const AtomDeltas& deltas) : d_(deltas) {}
  size_t dims() const override { return d_.dims(); }
  size_t size() const override { return d_.size(); }
  void Fill(size_t begin, size_t end, Chunk& chunk) const override;

 private:
  const AtomDeltas& d_;
};

// Every delta of `source` in memory.
AtomDeltas DeltasOf(const DeltaSource& source);

struct Transaction;
// Visits the cube and deltas of `txn`, then those of its other cubes;
// nothing for a transaction without a cube.
void ForEachCubeDeltas(const Transaction& txn,
                       const std::function<void(const std::string& cube, const AtomDeltas&)>& fn);

// Deltas of one cube among several in a transaction.
struct CubeDeltas {
  std::string cube;
  AtomDeltas deltas;
};

struct Transaction {
  uint64_t sequence = 0;
  int64_t time_us = 0;  // wall clock at commit, microseconds since the epoch
  std::string user;
  std::string client_txn_id;  // a retry with the same id applies at most once
  OperationKind kind = OperationKind::kWriteBatch;
  std::string parameters;  // the operation's own parameters (text)
  std::string cube;        // whose atoms `deltas` are ("" for none)
  AtomDeltas deltas;
  // Deltas of further cubes: a member change removing atoms of several
  // cubes (cube and deltas above hold the first). Empty for data changes.
  std::vector<CubeDeltas> other_cubes;
  // Deltas the log holds but `deltas` does not: a load too large to keep in
  // memory twice. Readers of the change feed get them from the log.
  size_t omitted_deltas = 0;
  Hash previous_hash{};  // hash of the transaction before (zeros for the first)
};

}  // namespace quantatom
