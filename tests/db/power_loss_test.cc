// Simulated power failures (FaultEnv) at random points of a random workload,
// model creation and recovery included: every acknowledged transaction
// survives, a write reported as failed is absent, no batch is seen in part,
// the log holds nothing nobody attempted, and aggregates equal a
// recomputation. Rounds: QA_POWER_LOSS_ROUNDS (default 4000; scripts/soak.sh
// runs more), seed: QA_POWER_LOSS_SEED.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "crash/crash_model.h"
#include "env/fault_env.h"

namespace quantatom {
namespace {

using crash::Batch;
using crash::State;

constexpr const char* kDir = "/db";
// A fresh env every few rounds, so crashes also hit the model's creation.
constexpr int kRoundsPerEnvMax = 8;
constexpr int kBatchesPerRoundMax = 40;
constexpr int kThreadsMax = 4;
// The model's transactions, first in every log: Row, Col, then the cube.
constexpr size_t kModelTransactions = 3;

enum class Outcome { kAcknowledged, kFailed, kUnknown };

struct Attempt {
  Batch batch;
  int round = 0;
  Outcome outcome = Outcome::kUnknown;
  uint64_t sequence = 0;  // when acknowledged
};

// One FaultEnv's life: a data directory crashed and recovered round after
// round, and what was attempted on it.
struct Life {
  std::unique_ptr<FaultEnv> env;
  int round = 0;
  uint64_t batches = 0;
  std::map<std::string, Attempt> attempts;  // by tag (the commit's user)
  std::vector<std::string> recovered;       // tags of the recovered log ("" for structure)
};

struct Totals {
  int rounds = 0;
  int crash_points = 0;
  int crashes_in_model_creation = 0;
  int crashes_in_recovery = 0;
  int torn_tails_cut = 0;
  size_t acknowledged = 0, failed = 0, unknown_in = 0, unknown_out = 0;
  size_t segments_max = 0;
  int snapshots_used = 0;  // rounds recovered from a snapshot plus the log
  int faults_injected = 0;
};

// The crash model, creating only what an earlier crash left missing
// (crash::EnsureModel expects all of it or none).
Status EnsureModel(Database& db) {
  std::string rows = "member,parent,weight\nTotal,,\n";
  for (int r = 0; r < crash::kRows; ++r)
    rows += "r" + std::to_string(r) + ",Total," + (crash::RowWeight(r) > 0 ? "1" : "-1") + "\n";
  std::string cols = "member,parent,weight\n";
  for (int c = 0; c < crash::kCols; ++c) cols += "c" + std::to_string(c) + ",,\n";
  const CommitContext ctx{"model", ""};
  if (!db.FindDimension("Row")) QA_RETURN_IF_ERROR(db.CreateDimension("Row", rows, ctx).status());
  if (!db.FindDimension("Col")) QA_RETURN_IF_ERROR(db.CreateDimension("Col", cols, ctx).status());
  if (!db.FindCube(crash::kCube))
    QA_RETURN_IF_ERROR(db.CreateCube(crash::kCube, {"Row", "Col"}, ctx).status());
  return Status::Ok();
}

// Commits `batches` from `threads` threads; fills each attempt's outcome.
void RunWorkload(Database& db, std::vector<std::pair<std::string, Attempt*>>& work, int threads) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      bool unknown_before = false;
      for (size_t i = t; i < work.size(); i += threads) {
        const std::string& tag = work[i].first;
        Attempt& attempt = *work[i].second;
        // Half the commits carry a client id too: both paths must recover alike.
        CommitContext ctx{tag, i % 2 ? tag : ""};
        auto r = db.Write(crash::kCube, crash::ToWriteBatch(db, attempt.batch), ctx);
        if (r.ok()) {
          EXPECT_FALSE(unknown_before) << tag << ": acknowledged after an unknown outcome";
          EXPECT_FALSE(r->replayed) << tag;
          attempt.outcome = Outcome::kAcknowledged;
          attempt.sequence = r->sequence;
          continue;
        }
        const StatusCode code = r.status().code();
        unknown_before |= code == StatusCode::kUnknownOutcome;
        EXPECT_TRUE(code == StatusCode::kIoError || code == StatusCode::kUnknownOutcome)
            << tag << ": " << r.status().ToString();
        attempt.outcome = code == StatusCode::kIoError ? Outcome::kFailed : Outcome::kUnknown;
      }
    });
  }
  for (std::thread& w : workers) w.join();
}

std::pair<int, int> CellOf(const Database& db, std::span<const MemberId> coordinate) {
  auto rows = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  return {std::stoi(rows->member_name(coordinate[0]).substr(1)),
          std::stoi(cols->member_name(coordinate[1]).substr(1))};
}

// The logged deltas are exactly the batch (last entry per cell wins), and
// their old values are the oracle's state before it.
void CheckDeltas(const Database& db, const Transaction& txn, const Batch& batch,
                 const State& before) {
  std::map<std::pair<int, int>, std::optional<double>> want;
  for (const crash::Cell& c : batch) want[{c.row, c.col}] = c.value;
  ASSERT_EQ(txn.deltas.size(), want.size()) << "a partial batch in transaction " << txn.sequence;
  for (size_t i = 0; i < txn.deltas.size(); ++i) {
    auto cell = CellOf(db, txn.deltas.coordinate(i));
    ASSERT_TRUE(want.count(cell)) << "transaction " << txn.sequence << " writes a foreign cell";
    ASSERT_EQ(txn.deltas.new_value(i), want[cell]) << "transaction " << txn.sequence;
    auto old = before.find(cell);
    ASSERT_EQ(txn.deltas.old_value(i),
              old == before.end() ? std::nullopt : std::optional<double>(old->second))
        << "transaction " << txn.sequence << " was prepared against another state";
  }
}

// Every leaf equals the oracle; each column's Total equals the weighted sum
// recomputed from scratch.
void CheckState(const Database& db, const State& want) {
  auto cube = db.FindCube(crash::kCube);
  if (!cube) {
    ASSERT_TRUE(want.empty());
    return;
  }
  auto rows = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  cube->ClearCache();
  for (int c = 0; c < crash::kCols; ++c) {
    const MemberId col = *cols->Find("c" + std::to_string(c));
    double total = 0;
    bool any = false;
    for (int r = 0; r < crash::kRows; ++r) {
      auto it = want.find({r, c});
      std::optional<double> expected =
          it == want.end() ? std::nullopt : std::optional<double>(it->second);
      ASSERT_EQ(*cube->ReadCell({*rows->Find("r" + std::to_string(r)), col}), expected)
          << "r" << r << " c" << c;
      if (expected) total += crash::RowWeight(r) * *expected, any = true;
    }
    auto got = *cube->ReadCell({*rows->Find("Total"), col});
    ASSERT_EQ(got.has_value(), any) << "Total c" << c;
    if (any) {
      ASSERT_NEAR(*got, total, 1e-6) << "Total c" << c;
    }
  }
}

// Reads the recovered log back and checks it against what was attempted.
void Verify(const Database& db, Life& life, Totals& totals) {
  const uint64_t last = db.last_sequence();
  auto changes = db.ChangesSince(0, SIZE_MAX);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  ASSERT_EQ(changes->size(), last);
  const OperationKind model[kModelTransactions] = {
      OperationKind::kCreateDimension, OperationKind::kCreateDimension, OperationKind::kCreateCube};
  std::vector<std::string> recovered;
  std::set<std::string> seen;
  State state;
  for (const Transaction& txn : *changes) {
    ASSERT_EQ(txn.sequence, recovered.size() + 1);
    if (recovered.size() < kModelTransactions) {
      ASSERT_EQ(txn.kind, model[recovered.size()]) << "transaction " << txn.sequence;
      recovered.emplace_back();
      continue;
    }
    ASSERT_EQ(txn.kind, OperationKind::kWriteBatch) << "transaction " << txn.sequence;
    auto it = life.attempts.find(txn.user);
    ASSERT_NE(it, life.attempts.end()) << "transaction " << txn.sequence << " was never attempted";
    const Attempt& attempt = it->second;
    ASSERT_TRUE(seen.insert(txn.user).second) << txn.user << " is in the log twice";
    ASSERT_NE(attempt.outcome, Outcome::kFailed) << txn.user << " was reported failed";
    if (recovered.size() >= life.recovered.size()) {
      ASSERT_EQ(attempt.round, life.round) << txn.user << " reappeared after a later crash";
    }
    if (attempt.outcome == Outcome::kAcknowledged) {
      ASSERT_EQ(attempt.sequence, txn.sequence) << txn.user;
    }
    ASSERT_NO_FATAL_FAILURE(CheckDeltas(db, txn, attempt.batch, state));
    crash::ApplyTo(state, attempt.batch);
    recovered.push_back(txn.user);
  }
  ASSERT_LE(life.recovered.size(), recovered.size()) << "a recovered transaction was lost";
  ASSERT_TRUE(std::equal(life.recovered.begin(), life.recovered.end(), recovered.begin()))
      << "the recovered log changed below its end";
  for (const auto& [tag, attempt] : life.attempts) {
    if (attempt.round != life.round) continue;
    if (attempt.outcome == Outcome::kAcknowledged) {
      ASSERT_TRUE(seen.count(tag)) << "acknowledged transaction " << attempt.sequence << " lost";
    }
    totals.acknowledged += attempt.outcome == Outcome::kAcknowledged;
    totals.failed += attempt.outcome == Outcome::kFailed;
    if (attempt.outcome == Outcome::kUnknown)
      ++(seen.count(tag) ? totals.unknown_in : totals.unknown_out);
  }
  ASSERT_NO_FATAL_FAILURE(CheckState(db, state));
  life.recovered = std::move(recovered);
}

// How many Env operations opening a fresh directory and making the model
// take, and how many a reopen takes: the crash points are drawn from them.
std::pair<uint64_t, uint64_t> OperationsToOpen() {
  FaultEnv env;
  {
    auto db = Database::Open(kDir, {.env = &env});
    EXPECT_TRUE(db.ok() && EnsureModel(**db).ok());
  }
  const uint64_t fresh = env.operations();
  { auto db = Database::Open(kDir, {.env = &env}); }
  return {fresh, env.operations() - fresh};
}

// In some rounds one operation also fails (an I/O error, a full disk, a
// failed fsync) before the power does.
void InjectRandomFault(FaultEnv& env, std::mt19937_64& rng, uint64_t calls) {
  using Op = FaultEnv::Operation;
  using Kind = FaultEnv::FaultKind;
  const Op ops[] = {Op::kAppend,       Op::kSync,       Op::kSyncDirectory,   Op::kNewWritableFile,
                    Op::kTruncateFile, Op::kRenameFile, Op::kCreateDirectory, Op::kRemoveFile};
  const Op op = ops[rng() % std::size(ops)];
  Kind kind = rng() % 2 ? Kind::kIoError : Kind::kNoSpace;
  if (op == Op::kAppend && rng() % 2) kind = Kind::kPartialAppend;
  // Half the time one of the first calls: those of opening and creating.
  env.InjectFault(op, 1 + rng() % (rng() % 2 ? 3 : calls + 1), kind);
}

class PowerLoss : public testing::Test {
 protected:
  // Opens the database (once more if that failed with the power on, as a
  // caller would), completes the model and commits `work`. Returns whether
  // the model was complete.
  bool RunSession(FaultEnv& env, const DatabaseOptions& options,
                  std::vector<std::pair<std::string, Attempt*>> work, int threads, bool faulty) {
    auto db = Database::Open(kDir, options);
    if (!db.ok() && !env.powered_off()) db = Database::Open(kDir, options);
    if (!db.ok()) return false;
    Status model = EnsureModel(**db);
    if (!model.ok() && !env.powered_off()) model = EnsureModel(**db);
    if (!model.ok()) return false;
    RunWorkload(**db, work, threads);
    if (!env.powered_off() && !faulty) {
      EXPECT_TRUE((*db)->snapshot_status().ok()) << (*db)->snapshot_status().ToString();
    }
    return true;
  }

  // One round: power fails at a random operation of opening, model
  // creation and workload (split over one or two sessions, reopened without
  // a crash in between); the machine reboots, sometimes crashing again
  // while the log is recovered, and the recovered database is checked.
  void RunRound(Life& life, std::mt19937_64& rng) {
    FaultEnv& env = *life.env;
    DatabaseOptions options{.env = &env};
    const bool small_segments = rng() % 3 == 0;
    if (small_segments) options.segment_bytes_max = 64 + rng() % 400;
    // Background snapshots in some rounds, so crashes cut them short too.
    options.snapshot_every_transactions = rng() % 4 == 0 ? 1 + rng() % 8 : 0;
    const int threads = 1 + static_cast<int>(rng() % kThreadsMax);
    const int batches = static_cast<int>(rng() % (kBatchesPerRoundMax + 1));
    const int sessions = rng() % 3 == 0 ? 2 : 1;
    std::vector<std::pair<std::string, Attempt*>> work[2];
    for (int i = 0; i < batches; ++i) {
      const uint64_t n = life.batches++;
      const std::string tag = "w" + std::to_string(n);
      life.attempts[tag] = Attempt{crash::RandomBatch(rng, n), life.round};
      work[i < batches / sessions ? 0 : sessions - 1].emplace_back(tag, &life.attempts[tag]);
    }
    const uint64_t operations = (life.round == 0 ? open_fresh_ : open_again_) +
                                (sessions - 1) * open_again_ + batches * (small_segments ? 6 : 2);
    // One round in eight runs to its end: a crash with nothing in flight.
    if (rng() % 8) env.PowerOffAfter(rng() % (operations + 1));
    const bool faulty = rng() % 4 == 0;
    if (faulty) {
      InjectRandomFault(env, rng, batches);
      ++totals_.faults_injected;
    }
    const bool model_made_before = life.recovered.size() >= kModelTransactions;
    bool model_complete = false;
    for (int session = 0; session < sessions; ++session)
      model_complete = RunSession(env, options, std::move(work[session]), threads, faulty);
    if (!env.powered_off() && !faulty) {
      for (auto& [tag, attempt] : life.attempts)
        if (attempt.round == life.round) {
          ASSERT_EQ(attempt.outcome, Outcome::kAcknowledged) << tag << " failed with the power on";
        }
    }
    totals_.crashes_in_model_creation += !model_made_before && !model_complete;
    env.Crash(rng(), rng() % 2 == 0);
    ++totals_.crash_points;
    if (rng() % 4 == 0) {  // the power fails again while the log is recovered
      env.PowerOffAfter(rng() % 4);
      { auto db = Database::Open(kDir, options); }
      env.Crash(rng(), rng() % 2 == 0);
      ++totals_.crash_points;
      ++totals_.crashes_in_recovery;
    }
    ASSERT_NO_FATAL_FAILURE(CheckRecovery(life, options));
    ++life.round;
    ++totals_.rounds;
  }

  void CheckRecovery(Life& life, const DatabaseOptions& options) {
    FaultEnv& env = *life.env;
    auto db = Database::Open(kDir, options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const std::string& w : (*db)->open_warnings()) {
      ASSERT_NE(w.find("torn record"), std::string::npos) << w;
      ++totals_.torn_tails_cut;
    }
    ASSERT_NO_FATAL_FAILURE(Verify(**db, life, totals_));
    if (env.FileExists(std::string(kDir) + "/snapshot")) {
      auto verified = Database::Verify(kDir, &env);
      ASSERT_TRUE(verified.ok()) << verified.status().ToString();
      ASSERT_EQ(verified->last_sequence, (*db)->last_sequence());
      totals_.snapshots_used += !verified->snapshot.empty();
    }
    auto segments = env.ListDirectory(std::string(kDir) + "/log");
    if (segments.ok()) totals_.segments_max = std::max(totals_.segments_max, segments->size());
  }

  uint64_t open_fresh_ = 0, open_again_ = 0;
  Totals totals_;
};

TEST_F(PowerLoss, AcknowledgedTransactionsSurviveAndBatchesStayWhole) {
  const char* env_rounds = std::getenv("QA_POWER_LOSS_ROUNDS");
  const int rounds = env_rounds ? std::atoi(env_rounds) : 4000;
  std::tie(open_fresh_, open_again_) = OperationsToOpen();
  const char* env_seed = std::getenv("QA_POWER_LOSS_SEED");
  const uint64_t seed = env_seed ? std::strtoull(env_seed, nullptr, 10) : 20261125;
  std::mt19937_64 rng(seed);
  Life life;
  for (int round = 0; round < rounds; ++round) {
    if (!life.env || life.round >= 1 + static_cast<int>(rng() % kRoundsPerEnvMax)) {
      const uint64_t life_seed = rng();
      life = Life{};
      life.env = std::make_unique<FaultEnv>(life_seed);
    }
    SCOPED_TRACE("seed " + std::to_string(seed) + ", round " + std::to_string(round) + " (round " +
                 std::to_string(life.round) + " of its env)");
    ASSERT_NO_FATAL_FAILURE(RunRound(life, rng));
  }
  std::printf(
      "power loss (seed %llu): %d rounds, %d crash points (%d while the model was created, "
      "%d during recovery), %d rounds with an injected fault; %zu acknowledged transactions "
      "all recovered, %zu failed ones absent, %zu of unknown outcome in and %zu out; "
      "%d torn tails cut, %d recoveries from a snapshot, up to %zu segments\n",
      static_cast<unsigned long long>(seed), totals_.rounds, totals_.crash_points,
      totals_.crashes_in_model_creation, totals_.crashes_in_recovery, totals_.faults_injected,
      totals_.acknowledged, totals_.failed, totals_.unknown_in, totals_.unknown_out,
      totals_.torn_tails_cut, totals_.snapshots_used, totals_.segments_max);
}

}  // namespace
}  // namespace quantatom
