#include "log_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "quantatom/database.h"
#include "timing.h"

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

}  // namespace

Result<nlohmann::ordered_json> RunLogBench(const LogBenchOptions& o) {
  fs::remove_all(o.data_dir);
  nlohmann::ordered_json out;
  DatabaseOptions options;
  options.snapshot_every_transactions = 0;  // snapshots are timed explicitly
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
  // The snapshot, with 8 writers committing one-cell writes meanwhile: how
  // long does a commit wait while a snapshot is taken?
  std::vector<std::vector<double>> waits(8);
  std::atomic<bool> snapshot_done{false}, write_failed{false};
  std::vector<std::thread> during;
  for (size_t t = 0; t < waits.size(); ++t)
    during.emplace_back([&, t] {
      for (uint64_t i = t; !snapshot_done; i += waits.size()) {
        auto w = Clock::now();
        if (!WriteOne(*db, *cube, 7'000'000 + i).ok()) write_failed = true;
        waits[t].push_back(MsSince(w));
      }
    });
  start = Clock::now();
  auto snap = db->Snapshot();
  double snapshot_ms = MsSince(start);
  snapshot_done = true;
  for (auto& t : during) t.join();
  QA_RETURN_IF_ERROR(snap.status());
  if (write_failed) return Status::Io("a benchmark write failed");
  std::vector<double> all_waits;
  for (auto& w : waits) all_waits.insert(all_waits.end(), w.begin(), w.end());
  out["SNAPSHOT"] = {{"ms", snapshot_ms},
                     {"bytes", snap->bytes},
                     {"commits_meanwhile", all_waits.size()},
                     {"commit_p50_ms", Percentile(all_waits, 0.5)},
                     {"commit_p99_ms", Percentile(all_waits, 0.99)},
                     {"commit_max_ms", Percentile(all_waits, 1.0)}};
  // Then the logged transactions recovery replays after the snapshot.
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
  out["RECOVERY"] = {{"ms", recovery_ms},
                     {"transactions_after_snapshot", last - snap->sequence}};
  reopened.reset();
  fs::remove_all(o.data_dir);
  return out;
}

}  // namespace quantatom::bench
