// A model kept in a data directory: every change is a transaction appended
// to the log (AODL) and made durable before it is acknowledged and before
// readers can see it. Opening the directory replays the log.
//
// Thread safety: every method may be called from any thread. Commits from
// concurrent callers share fsyncs (group commit).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/env.h"
#include "quantatom/load.h"
#include "quantatom/model.h"
#include "quantatom/rules.h"
#include "quantatom/sandbox.h"
#include "quantatom/slice.h"
#include "quantatom/spread.h"
#include "quantatom/status.h"
#include "quantatom/structure.h"
#include "quantatom/transaction.h"

namespace quantatom {

struct DatabaseOptions {
  Env* env = nullptr;  // nullptr: the real file system
  bool create_if_missing = true;
  size_t group_commit_max = 1024;  // transactions sharing one fsync at most
  uint64_t segment_bytes_max = uint64_t{64} << 20;
  // A background snapshot starts after this many transactions (0: never).
  uint64_t snapshot_every_transactions = 100'000;
  // After a snapshot, delete log segments it covers. Off by default: the
  // log is the audit trail and the basis of time travel.
  bool truncate_log_after_snapshot = false;
  // The quantatom executable, to take snapshots in a process of its own
  // (`PROGRAM snapshot-worker DIR SEQUENCE`, which prints the snapshot's
  // bytes on its last line), where their work cannot stall a commit through
  // the shared memory map (docs/design/log.md). Empty: in a thread of this
  // process. Needs the real file system (env nullptr).
  std::string snapshot_program;
  // Recent transactions kept in memory for the change feed, in deltas.
  size_t change_feed_deltas_max = 1 << 20;
  SpreadLimits writeback_limits;  // spreads, copies, clears, allocations
};

struct SnapshotReport {
  uint64_t sequence = 0;  // the snapshot holds every transaction up to here
  std::string file;
  uint64_t bytes = 0;
  size_t segments_removed = 0;
};

// One change to a cell: a transaction that changed an atom beneath it.
struct CellChange {
  uint64_t sequence = 0;
  int64_t time_us = 0;
  std::string user;
  OperationKind kind = OperationKind::kWriteBatch;
  Coordinate atom;  // the leaf that changed
  std::optional<double> old_value, new_value;
  double weight = 1;  // the leaf's weight in the cell
};

// What monitoring reads (the server's /readyz and /metrics). Cheap: no I/O.
struct DatabaseHealth {
  uint64_t last_sequence = 0;
  uint64_t snapshot_sequence = 0;  // the newest snapshot holds transactions up to here; 0: none
  // When this process wrote the newest snapshot, or opened the directory if
  // it found the snapshot there (it is then at least that old); 0: none.
  int64_t snapshot_time_us = 0;
  // Bytes of encoded transactions this process appended to the log after
  // the newest snapshot: what recovery would replay beyond it (transactions
  // already replayed at open count in last_sequence - snapshot_sequence only).
  uint64_t log_bytes_since_snapshot = 0;
  // The log refuses every commit until the database is reopened: a failed
  // fsync left an unknown outcome, or the model and the log were found apart.
  bool writes_refused = false;
  Status snapshot_status;  // the outcome of the last background snapshot
};

struct VerifyReport {
  uint64_t last_sequence = 0;
  size_t transactions_replayed = 0;  // from the log alone, when it starts at 1
  std::string snapshot;              // the snapshot checked against the log, "" for none
  size_t atoms = 0;
  std::vector<std::string> warnings;
};

// Who commits, and an optional id that makes retries safe.
struct CommitContext {
  std::string user;
  // A commit with an id this user committed before is not applied again
  // (another user's commit with the same id is a different transaction).
  std::string client_txn_id;
};

struct CommitResult {
  uint64_t sequence = 0;  // the transaction's sequence number
  size_t atoms_changed = 0;
  bool replayed = false;  // true: the id was committed before; this is its original result
};

// Told of each committed transaction, in sequence order, on the commit
// thread right after it becomes visible. It must be quick (hand the work to
// another thread) and must not call back into the Database.
using ChangeListener = std::function<void(const std::shared_ptr<const Transaction>& txn)>;

// Commit errors: the usual codes when the request was refused before
// anything was logged (bad input, unknown member); kIoError when the log
// append failed and nothing was logged; kUnknownOutcome when the change may
// or may not be durable (the database then refuses writes until reopened).
class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& dir,
                                                DatabaseOptions options = {});
  ~Database();

  // Replay warnings (e.g. a torn tail that was cut off).
  const std::vector<std::string>& open_warnings() const;
  uint64_t last_sequence() const;
  // The outcome of the last background snapshot (OK when none failed).
  Status snapshot_status() const;
  DatabaseHealth Health() const;

  std::shared_ptr<Cube> FindCube(std::string_view name) const;
  std::shared_ptr<const Dimension> FindDimension(std::string_view name) const;
  std::vector<std::string> CubeNames() const;
  std::vector<std::string> DimensionNames() const;  // in the order they were created

  // `csv` in the dimension format of docs/formats.md.
  Result<CommitResult> CreateDimension(const std::string& name, const std::string& csv,
                                       const CommitContext& ctx);
  Result<CommitResult> CreateCube(const std::string& name,
                                  const std::vector<std::string>& dimensions,
                                  const CommitContext& ctx);
  Result<CommitResult> Write(const std::string& cube, const WriteBatch& batch,
                             const CommitContext& ctx);
  // Writeback (docs/writeback.md). Each is one transaction, computed from
  // the state right before it commits; refused whole, with nothing logged,
  // when any part is refused (kPermissionDenied when `access` refuses a cell
  // it would change or read).
  Result<CommitResult> Spread(const std::string& cube, const SpreadRequest& request,
                              const CommitContext& ctx, const WritebackAccess& access = {});
  Result<CommitResult> CopySlice(const std::string& cube, const SliceCopy& copy,
                                 const CommitContext& ctx, const WritebackAccess& access = {});
  Result<CommitResult> ClearSlice(const std::string& cube, const Slice& slice,
                                  const CommitContext& ctx, const WritebackAccess& access = {});
  Result<CommitResult> Allocate(const std::string& cube, const Allocation& allocation,
                                const CommitContext& ctx, const WritebackAccess& access = {});

  // Holds: the cells ctx.user holds on a cube, replacing the list. A spread
  // by that user leaves every leaf beneath them alone.
  Result<CommitResult> SetHolds(const std::string& cube, std::vector<Coordinate> cells,
                                const CommitContext& ctx);
  std::vector<Coordinate> Holds(const std::string& user, const std::string& cube) const;

  // Sandboxes (quantatom/sandbox.h), owned by ctx.user: the first write
  // makes one over `cube`, starting from the last committed sequence.
  Result<CommitResult> WriteSandbox(const std::string& sandbox, const std::string& cube,
                                    const WriteBatch& batch, const CommitContext& ctx);
  // A view as it reads through the owner's sandbox.
  Result<Grid> QuerySandbox(const std::string& owner, const std::string& sandbox,
                            const ViewSpec& view) const;
  // Applies the sandbox's cells as one transaction, conflicts resolved by
  // `policy`; the sandbox then starts again, empty, from that transaction.
  // A refusal (kRefuse and a conflict) commits nothing and reports them.
  Result<MergeReport> CommitSandbox(const std::string& sandbox, ConflictPolicy policy,
                                    const CommitContext& ctx, const WritebackAccess& access = {});
  Result<CommitResult> DiscardSandbox(const std::string& sandbox, const CommitContext& ctx);
  std::optional<Sandbox> FindSandbox(const std::string& owner, const std::string& sandbox) const;
  std::vector<SandboxInfo> Sandboxes(const std::string& owner) const;
  // Edits a client made offline from `base_sequence`, merged as a sandbox
  // commit would be.
  Result<MergeReport> MergeEdits(const std::string& cube, uint64_t base_sequence,
                                 std::vector<SandboxCell> edits, ConflictPolicy policy,
                                 const CommitContext& ctx, const WritebackAccess& access = {});

  // A fact file (docs/formats.md) into an existing cube, as one transaction.
  Result<CommitResult> LoadFacts(const std::string& cube, const std::string& path,
                                 const CommitContext& ctx, LoadReport* report = nullptr);
  // Parsed atoms (keys from Cube::PackLeaves) into an existing cube as one
  // logged load, as LoadFacts does: rows at one coordinate are summed and
  // replace the atom there. `source` says where they came from (kept in the
  // transaction's parameters). `folded`, when given, receives the counts.
  Result<CommitResult> LoadAtoms(const std::string& cube, Cube::BulkAtoms atoms,
                                 const std::string& source, const CommitContext& ctx,
                                 Cube::BulkResult* folded = nullptr);
  // A whole model directory: its dimensions, cubes and facts, each logged.
  Status ImportModelDirectory(const std::string& dir, const CommitContext& ctx);

  // Structure changes, each one logged transaction applied to the model and
  // to every cube over what it changes (quantatom/structure.h has the rule
  // for data). Member ids stay stable. kConflict refuses a change that would
  // delete atoms without change.delete_data; `report` counts those atoms
  // (deleted, or in the way).
  Result<CommitResult> ChangeMember(const MemberChange& change, const CommitContext& ctx,
                                    StructureReport* report = nullptr);
  // kConflict while a cube uses the dimension.
  Result<CommitResult> DeleteDimension(const std::string& name, const CommitContext& ctx);
  // kConflict while the cube holds atoms, unless `delete_data`. Its saved
  // views go with it.
  Result<CommitResult> DeleteCube(const std::string& name, bool delete_data,
                                  const CommitContext& ctx, StructureReport* report = nullptr);
  // Saves a view (docs/view.md JSON) on a cube under a name, replacing one
  // of that name (ignoring case); refused when the view does not fit the
  // cube (unknown members or dimensions, too large a grid).
  Result<CommitResult> SaveView(const std::string& cube, const std::string& name,
                                const std::string& view_json, const CommitContext& ctx);
  Result<CommitResult> DeleteView(const std::string& cube, const std::string& name,
                                  const CommitContext& ctx);
  std::vector<SavedView> Views(std::string_view cube) const;  // in name order
  // The transaction that created the cube now of that name (0: none). A
  // logged transaction naming the cube with an earlier sequence was written
  // to an earlier cube of that name, deleted since.
  uint64_t CubeCreatedSequence(std::string_view cube) const;

  // Replaces the rules of a cube (docs/rules.md; "" removes them) as one
  // logged transaction; every cell they derive is computed before it is
  // acknowledged. Refused with nothing logged as CheckRules refuses, and
  // with kConflict, counted in `report`, when stored atoms lie in cells the
  // rules would compute, unless `delete_data`: they are then deleted in the
  // same transaction, as deltas the change feed and history show.
  Result<CommitResult> SetRules(const std::string& cube, const std::string& text, bool delete_data,
                                const CommitContext& ctx, StructureReport* report = nullptr);
  // The rules of a cube as saved (nullopt: none), and a summary of each.
  std::optional<CubeRules> Rules(std::string_view cube) const;
  std::vector<RuleSummary> DescribeRules(std::string_view cube) const;

  // Writes a snapshot of the state as of now. Writers are not blocked: the
  // state is rebuilt aside from the previous snapshot and the log.
  Result<SnapshotReport> Snapshot();

  // Checks a data directory without changing it: record checksums, the hash
  // chain, and that the newest snapshot plus the log give the same atoms and
  // aggregates as the log alone.
  static Result<VerifyReport> Verify(const std::string& dir, Env* env = nullptr);
  // The snapshot program's part: writes the snapshot of `dir` at `sequence`
  // from its newest snapshot and log, reading them only. Returns its bytes.
  static Result<uint64_t> WriteSnapshotFromLog(const std::string& dir, uint64_t sequence,
                                               Env* env = nullptr);

  // The transactions that changed `cell` (leaf or consolidated), oldest
  // first, from the log (a truncated log has a shorter history).
  Result<std::vector<CellChange>> CellHistory(const std::string& cube,
                                              const Coordinate& cell) const;
  // A view as it read right after transaction `sequence` (time travel).
  Result<Grid> QueryAsOf(const ViewSpec& view, uint64_t sequence) const;
  // The last sequence committed at or before `time_us` (0: none).
  Result<uint64_t> SequenceAt(int64_t time_us) const;
  // Undoes a data transaction with a new, compensating one. Refused, naming
  // the cells, when any of its atoms has changed since.
  Result<CommitResult> Undo(uint64_t sequence, const CommitContext& ctx);

  // Runs `read` with the last visible sequence while no transaction is
  // being applied, so what it reads of the cubes is their state as of
  // exactly that sequence. Commits wait for it: copy what is needed
  // (Cube::CopyAtoms) and return.
  void ReadAtSequence(const std::function<void(uint64_t sequence)>& read) const;

  // Transactions after `sequence`, oldest first, at most `max` of them:
  // recent ones from memory, older ones from the log.
  Result<std::vector<Transaction>> ChangesSince(uint64_t sequence, size_t max) const;
  // Live changes: `listener` hears of every transaction committed from now
  // on until Unsubscribe(id) returns (it waits for a call in progress).
  uint64_t Subscribe(ChangeListener listener);
  void Unsubscribe(uint64_t id);

  struct Impl;

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantatom
