#include "log_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>

#include "quantatom/database.h"
#include "timing.h"
#include "util/background_priority.h"

namespace quantatom::bench {
namespace {

namespace fs = std::filesystem;
uint64_t DirectoryBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

// The i-th leaf cell of a planbench cube, spread over its leaves.
Coordinate LeafCell(const Cube& cube, uint64_t i) {
  Coordinate c;
  for (const auto& d : cube.dimensions()) {
    c.push_back(d->leaf_member(static_cast<LeafOrdinal>(i % d->leaf_count())));
    i = i / d->leaf_count() + i * 7919;
  }
  return c;
}

Status WriteOne(Database& db, const Cube& cube, uint64_t i) {
  WriteBatch b;
  b.Set(LeafCell(cube, i), static_cast<double>(i % 1000));
  return db.Write(cube.name(), b, {"bench", ""}).status();
}

// Commits per second with `writers` threads each committing one-cell writes.
Result<double> Throughput(Database& db, const Cube& cube, int writers, double seconds) {
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false}, failed{false};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = t; !stop; i += writers) {
        if (!WriteOne(db, cube, i).ok()) failed = true;
        ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (failed) return Status::Io("a benchmark write failed");
  return done / (MsSince(start) / 1000);
}

// The latency of every one-cell commit `writers` threads make while `work`
// runs.
Status CommitLatencies(Database& db, const Cube& cube, size_t writers,
                       const std::function<Status()>& work, std::vector<double>& latencies) {
  std::vector<std::vector<double>> waits(writers);
  std::atomic<bool> done{false}, failed{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < writers; ++t)
    threads.emplace_back([&, t] {
      for (uint64_t i = t; !done; i += writers) {
        auto w = Clock::now();
        if (!WriteOne(db, cube, 7'000'000 + i).ok()) failed = true;
        waits[t].push_back(MsSince(w));
      }
    });
  Status s = work();
  done = true;
  for (auto& t : threads) t.join();
  if (failed) return Status::Io("a benchmark write failed");
  for (auto& w : waits) latencies.insert(latencies.end(), w.begin(), w.end());
  return s;
}

// A window's work that is only its length.
std::function<Status()> SleepFor(double ms) {
  return [ms] {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
    return Status::Ok();
  };
}

// Keeps one thread busy at the lowest CPU priority until `stop`: the
// least any background work can cost the commits on this machine.
void SpinAtIdlePriority(const std::atomic<bool>& stop) {
  LowerThisThreadToBackground();
  volatile uint64_t spins = 0;
  while (!stop.load(std::memory_order_relaxed)) spins = spins + 1;
}

}  // namespace

Result<nlohmann::ordered_json> RunLogBench(const LogBenchOptions& o) {
  fs::remove_all(o.data_dir);
  nlohmann::ordered_json out;
  DatabaseOptions options;
  options.snapshot_every_transactions = 0;  // snapshots are timed explicitly
  options.snapshot_program = o.snapshot_program;
  auto start = Clock::now();
  QA_ASSIGN_OR_RETURN(auto db, Database::Open(o.data_dir, options));
  QA_RETURN_IF_ERROR(db->ImportModelDirectory(o.planbench_dir, {"bench", ""}));
  double load_ms = MsSince(start);
  auto cube = db->FindCube("planbench");
  if (!cube) return Status::NotFound("no planbench cube in " + o.planbench_dir);
  const size_t atoms = cube->Stats().atoms;
  const uint64_t log_bytes = DirectoryBytes(fs::path(o.data_dir) / "log");
  out["LOAD_LOGGED"] = {{"ms", load_ms},
                        {"rows_per_s", atoms / (load_ms / 1000)},
                        {"log_bytes", log_bytes},
                        {"log_bytes_per_atom", double(log_bytes) / atoms}};
  std::vector<double> latencies;
  for (int i = 0; i < o.latency_samples; ++i) {
    auto t = Clock::now();
    QA_RETURN_IF_ERROR(WriteOne(*db, *cube, i));
    latencies.push_back(MsSince(t));
  }
  const uint64_t before = DirectoryBytes(fs::path(o.data_dir) / "log");
  QA_RETURN_IF_ERROR(WriteOne(*db, *cube, 12345));
  out["DURABLE_WRITE"] = {
      {"p50_ms", Percentile(latencies, 0.5)},
      {"p99_ms", Percentile(latencies, 0.99)},
      {"samples", latencies.size()},
      {"log_bytes_per_one_cell_write", DirectoryBytes(fs::path(o.data_dir) / "log") - before}};
  nlohmann::ordered_json throughput;
  for (int writers : {1, 8, 64}) {
    QA_ASSIGN_OR_RETURN(double tps, Throughput(*db, *cube, writers, o.throughput_seconds));
    throughput[std::to_string(writers) + "_writers_tps"] = tps;
  }
  out["THROUGHPUT"] = throughput;
  // Snapshots, with 8 writers committing one-cell writes meanwhile: how long
  // does a commit wait while a snapshot is taken? Each snapshot window is
  // followed by a window as long without one, so that the maxima come from
  // as many commits, and by one with a busy loop at the idle priority (on a
  // VM, any busy guest CPU delays the host's handling of the guest's I/O).
  // The first snapshot replays the whole log; the later ones start from the
  // snapshot before.
  std::vector<double> waits, quiet_waits, busy_waits, snapshot_ms;
  Result<SnapshotReport> snap = Status::Ok();
  for (int round = 0; round < o.snapshot_rounds; ++round) {
    start = Clock::now();
    QA_RETURN_IF_ERROR(CommitLatencies(
        *db, *cube, 8,
        [&] {
          snap = db->Snapshot();
          return snap.status();
        },
        waits));
    snapshot_ms.push_back(MsSince(start));
    QA_RETURN_IF_ERROR(CommitLatencies(*db, *cube, 8, SleepFor(snapshot_ms.back()), quiet_waits));
    std::atomic<bool> stop_spinning{false};
    std::thread spinner([&] { SpinAtIdlePriority(stop_spinning); });
    Status busy = CommitLatencies(*db, *cube, 8, SleepFor(snapshot_ms.back()), busy_waits);
    stop_spinning = true;
    spinner.join();
    QA_RETURN_IF_ERROR(busy);
  }
  out["SNAPSHOT"] = {{"ms", Percentile(snapshot_ms, 0.5)},
                     {"rounds", snapshot_ms.size()},
                     {"bytes", snap->bytes},
                     {"commits_meanwhile", waits.size()},
                     {"commit_p50_ms", Percentile(waits, 0.5)},
                     {"commit_p99_ms", Percentile(waits, 0.99)},
                     {"commit_max_ms", Percentile(waits, 1.0)},
                     {"commits_without_snapshot", quiet_waits.size()},
                     {"without_snapshot_commit_p99_ms", Percentile(quiet_waits, 0.99)},
                     {"without_snapshot_commit_max_ms", Percentile(quiet_waits, 1.0)},
                     {"busy_loop_commit_p99_ms", Percentile(busy_waits, 0.99)},
                     {"busy_loop_commit_max_ms", Percentile(busy_waits, 1.0)}};
  // Then a snapshot of all that, and the logged transactions recovery
  // replays after it.
  snap = db->Snapshot();
  QA_RETURN_IF_ERROR(snap.status());
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 64; ++t)
    writers.emplace_back([&] {
      for (uint64_t i; (i = next++) < o.recovery_transactions;)
        if (!WriteOne(*db, *cube, i).ok()) failed = true;
    });
  for (auto& t : writers) t.join();
  if (failed) return Status::Io("a benchmark write failed");
  const uint64_t last = db->last_sequence();
  db.reset();
  start = Clock::now();
  QA_ASSIGN_OR_RETURN(auto reopened, Database::Open(o.data_dir, options));
  double recovery_ms = MsSince(start);
  if (reopened->last_sequence() != last) return Status::Corruption("recovery lost transactions");
  out["RECOVERY"] = {{"ms", recovery_ms}, {"transactions_after_snapshot", last - snap->sequence}};
  reopened.reset();
  fs::remove_all(o.data_dir);
  return out;
}

}  // namespace quantatom::bench
