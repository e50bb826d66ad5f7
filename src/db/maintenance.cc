// Snapshots and verification of a data directory.
#include <pthread.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "db/database_impl.h"
#include "db/rebuild.h"
#include "db/snapshot_process.h"
#include "log/log_format.h"
#include "util/background_priority.h"

namespace quantatom {
namespace {

// Keeps the newest two snapshots.
Status RemoveOldSnapshots(Env* env, const std::string& dir) {
  QA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDirectory(dir));
  std::vector<std::string> snaps;
  for (const std::string& n : names)
    if (log_format::ParseSequenceFileName(n, ".snap")) snaps.push_back(n);
  std::sort(snaps.rbegin(), snaps.rend());
  for (size_t i = 2; i < snaps.size(); ++i)
    QA_RETURN_IF_ERROR(env->RemoveFile(dir + "/" + snaps[i]));
  return snaps.size() > 2 ? env->SyncDirectory(dir) : Status::Ok();
}

using AtomMap = std::map<std::pair<std::string, std::vector<LeafOrdinal>>, double>;

AtomMap AtomsOf(const Model& model) {
  AtomMap atoms;
  for (const auto& cube : model.cubes())
    cube->ForEachAtom([&](const AtomRef& a) {
      atoms[{cube->name(), std::vector<LeafOrdinal>(a.leaves.begin(), a.leaves.end())}] = a.value;
    });
  return atoms;
}

// The top cell of every cube (first root of each dimension), recomputed.
std::vector<std::optional<double>> TopCells(const Model& model) {
  std::vector<std::optional<double>> out;
  for (const auto& cube : model.cubes()) {
    Coordinate top;
    for (const auto& d : cube->dimensions()) top.push_back(d->roots()[0]);
    cube->ClearCache();
    out.push_back(*cube->ReadCell(top));
  }
  return out;
}

bool SameAggregates(const std::vector<std::optional<double>>& a,
                    const std::vector<std::optional<double>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return false;
    if (a[i] &&
        std::fabs(*a[i] - *b[i]) > 1e-9 * std::max({1.0, std::fabs(*a[i]), std::fabs(*b[i])}))
      return false;
  }
  return true;
}

// Rebuilds the model at `sequence` aside and writes it as a snapshot.
Result<uint64_t> RebuildAndWrite(Env* env, const std::string& dir, const LogStore& log,
                                 uint64_t sequence) {
  QA_ASSIGN_OR_RETURN(Rebuilt rebuilt, RebuildModel(env, dir, log, sequence, /*repair=*/false,
                                                    /*use_snapshot=*/true, /*with_rules=*/false));
  if (rebuilt.state.sequence != sequence)
    return Status::Corruption("snapshot: the log holds up to " +
                              std::to_string(rebuilt.state.sequence) + ", expected " +
                              std::to_string(sequence));
  const std::string snapshot_dir = dir + "/snapshot";
  // Synced every time: an earlier snapshot's sync of the new directory may have failed.
  QA_RETURN_IF_ERROR(env->CreateDirectory(snapshot_dir));
  QA_RETURN_IF_ERROR(env->SyncDirectory(dir));
  return WriteSnapshot(env, snapshot_dir, rebuilt.model, rebuilt.state);
}

// One TBB thread wide: even in the idle scheduling class a second thread
// slows commits down, because the kernel work it causes (page faults,
// copies) is not preempted at once.
Result<uint64_t> WriteSnapshotAt(Env* env, const std::string& dir, const LogStore& log,
                                 uint64_t sequence) {
  std::optional<Result<uint64_t>> result;
  tbb::task_arena one_thread(1);
  one_thread.execute([&] { result.emplace(RebuildAndWrite(env, dir, log, sequence)); });
  return std::move(*result);
}

// A snapshot in a thread of this process. Lowering a thread's priorities
// cannot be undone without privileges, hence a thread of its own.
Result<uint64_t> WriteSnapshotInThread(Database::Impl& impl, uint64_t sequence) {
  std::optional<Result<uint64_t>> result;
  std::thread worker([&] {
    pthread_setname_np(pthread_self(), "qa-snapshot");
    LowerThisThreadToBackground();
    result.emplace(WriteSnapshotAt(impl.env, impl.dir, *impl.log, sequence));
  });
  worker.join();
  return std::move(*result);
}

Result<SnapshotReport> SnapshotNow(Database::Impl& impl) {
  std::lock_guard one_at_a_time(impl.snapshot_mu);
  uint64_t sequence, log_bytes;
  {
    std::lock_guard lock(impl.health_mu);
    sequence = impl.visible_sequence;
    log_bytes = impl.log_bytes_appended;
  }
  SnapshotReport report;
  report.sequence = sequence;
  if (sequence == impl.snapshot_sequence) return report;  // nothing new
  const std::string& program = impl.options.snapshot_program;
  QA_ASSIGN_OR_RETURN(report.bytes, program.empty()
                                        ? WriteSnapshotInThread(impl, sequence)
                                        : RunSnapshotProgram(program, impl.dir, sequence));
  const std::string snapshot_dir = impl.dir + "/snapshot";
  report.file = snapshot_dir + "/" + SnapshotName(sequence);
  {
    std::lock_guard lock(impl.health_mu);
    impl.snapshot_sequence = sequence;
    impl.log_bytes_at_snapshot = log_bytes;
    impl.snapshot_time_us = impl.env->NowMicros();
  }
  QA_RETURN_IF_ERROR(RemoveOldSnapshots(impl.env, snapshot_dir));
  if (impl.options.truncate_log_after_snapshot) {
    QA_ASSIGN_OR_RETURN(report.segments_removed, impl.log->Truncate(sequence));
  }
  return report;
}

}  // namespace

// A snapshot rebuilds the whole model beside the commits, in a process or a
// thread of its own at the lowest CPU and I/O priority (docs/design/log.md,
// "Snapshots").
Result<SnapshotReport> Database::Snapshot() { return SnapshotNow(*impl_); }

Result<uint64_t> Database::WriteSnapshotFromLog(const std::string& dir, uint64_t sequence,
                                                Env* env) {
  env = env ? env : Env::Default();
  if (!env->FileExists(dir + "/log"))
    return Status::NotFound(dir + ": not a data directory (no log/)");
  QA_ASSIGN_OR_RETURN(auto log, OpenSegmentLogStore(env, dir + "/log"));
  return WriteSnapshotAt(env, dir, *log, sequence);
}

Result<VerifyReport> Database::Verify(const std::string& dir, Env* env) {
  env = env ? env : Env::Default();
  if (!env->FileExists(dir + "/log"))
    return Status::NotFound(dir + ": not a data directory (no log/)");
  VerifyReport report;
  QA_ASSIGN_OR_RETURN(auto log, OpenSegmentLogStore(env, dir + "/log"));
  QA_ASSIGN_OR_RETURN(Rebuilt with_snapshot,
                      RebuildModel(env, dir, *log, UINT64_MAX, /*repair=*/false));
  report.last_sequence = with_snapshot.state.sequence;
  report.snapshot = with_snapshot.snapshot;
  report.warnings = with_snapshot.warnings;
  AtomMap atoms = AtomsOf(with_snapshot.model);
  report.atoms = atoms.size();
  auto from_log =
      RebuildModel(env, dir, *log, UINT64_MAX, /*repair=*/false, /*use_snapshot=*/false);
  if (!from_log.ok()) {
    // A truncated log cannot be replayed alone; the snapshot path checked what is there.
    if (with_snapshot.snapshot.empty()) return from_log.status();
    report.warnings.push_back("the log alone cannot rebuild the model (" +
                              from_log.status().message() + ")");
    return report;
  }
  report.transactions_replayed = from_log->state.sequence;
  if (from_log->state.sequence != report.last_sequence)
    return Status::Corruption(
        dir + ": the log ends at " + std::to_string(from_log->state.sequence) +
        " but snapshot and log end at " + std::to_string(report.last_sequence));
  if (AtomsOf(from_log->model) != atoms)
    return Status::Corruption(dir + ": " + with_snapshot.snapshot +
                              " plus the log disagrees with the log alone");
  if (!SameAggregates(TopCells(from_log->model), TopCells(with_snapshot.model)))
    return Status::Corruption(dir + ": aggregates from the snapshot differ from the log's");
  return report;
}

}  // namespace quantatom
