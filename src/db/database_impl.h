// The inside of a Database: the model, the log writer and the commit
// thread that orders transactions and shares fsyncs among them.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "db/change_feed.h"
#include "log/log_store.h"
#include "quantatom/database.h"

namespace quantatom {

// Atom values changed by earlier transactions of the group being prepared
// (not yet applied to the cubes): cube name -> storage key -> value.
using Overlay = std::map<std::string, std::unordered_map<uint64_t, std::optional<double>>>;

struct CommitRequest {
  CommitContext context;
  bool alone = false;  // structure changes and loads: a group of their own
  // Runs on the commit thread against the model plus `overlay`; fills the
  // operation, parameters and deltas, records its changes in `overlay`.
  std::function<Status(Transaction&, Overlay&)> prepare;
  // Applies the logged transaction; empty: ApplyTransaction, as replay does.
  // A load sets its own, equal in effect but cheaper (tested against replay).
  std::function<Status(Model&, const Transaction&)> apply;
  // Where the logged deltas come from when not from the transaction: a
  // large load's, which the transaction does not keep (omitted_deltas).
  std::shared_ptr<const DeltaSource> deltas;
  std::promise<Result<CommitResult>> done;
};

struct Database::Impl {
  std::unique_ptr<FileLock> lock;  // first member: released last
  // Reads through sandboxes: per sandbox (owner NUL folded name) its cells
  // laid flat and the overlay's delta per view, kept while the sandbox and
  // the base values beneath its cells stay as they were (db/workspaces.cc).
  struct SandboxReads;
  std::mutex sandbox_reads_mu;
  std::map<std::string, std::shared_ptr<SandboxReads>> sandbox_reads;
  std::string dir;
  Env* env;
  DatabaseOptions options;
  std::vector<std::string> warnings;

  mutable std::shared_mutex structure_mu;  // guards model's lists of dimensions and cubes
  Model model;

  // Commit thread state.
  std::unique_ptr<LogStore> log;
  uint64_t last_sequence = 0;
  Hash last_hash{};
  // By ClientIdKey (db/client_ids.h): ids are per user.
  std::unordered_map<std::string, CommitResult> results_by_client_id;
  std::atomic<uint64_t> visible_sequence{0};
  // Held exclusively from a group's first apply until visible_sequence
  // says it is visible; ReadAtSequence holds it shared.
  mutable std::shared_mutex visible_mu;
  std::atomic<bool> writes_refused{false};  // the log is broken
  // Log bytes appended by this process, and their count when the newest
  // snapshot's sequence was visible: read together with visible_sequence
  // under health_mu, so a snapshot knows exactly the bytes it covers.
  std::mutex health_mu;
  uint64_t log_bytes_appended = 0, log_bytes_at_snapshot = 0;
  int64_t snapshot_time_us = 0;  // under health_mu; see DatabaseHealth
  std::unique_ptr<ChangeFeed> feed;
  std::atomic<uint64_t> snapshot_sequence{0};  // of the newest snapshot, 0 for none
  std::mutex snapshot_mu;                      // one snapshot at a time
  // The background snapshotter: woken by commits once enough transactions
  // have accumulated since the last snapshot.
  std::thread snapshotter;
  std::condition_variable snapshot_cv;
  Status last_snapshot_status;  // under queue_mu
  void SnapshotLoop(Database& db);
  bool SnapshotDue() const {
    return options.snapshot_every_transactions &&
           visible_sequence - snapshot_sequence >= options.snapshot_every_transactions;
  }

  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<std::unique_ptr<CommitRequest>> queue;
  bool stopping = false;
  std::thread committer;

  Result<CommitResult> Submit(std::unique_ptr<CommitRequest> request);
  // The result of an earlier commit by ctx.user with ctx.client_txn_id.
  // Commit thread only.
  std::optional<CommitResult> CommittedWithId(const CommitContext& ctx) const;
  void CommitLoop();
  void CommitGroup(std::vector<std::unique_ptr<CommitRequest>>& group);
  std::shared_ptr<quantatom::Cube> LookupCube(std::string_view name) const;
};

}  // namespace quantatom
