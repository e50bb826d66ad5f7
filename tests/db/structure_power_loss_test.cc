// Simulated power failures (FaultEnv) while rows are added, written and
// deleted with their data, with background snapshots in some rounds: every
// acknowledged structure change and write survives, a failed one is absent,
// each is whole, and the recovered model equals the recovered log replayed
// on an oracle (rows, cells, totals). Rounds: QA_POWER_LOSS_ROUNDS / 8
// (default 500).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "crash/crash_model.h"
#include "env/fault_env.h"

namespace quantatom {
namespace {

constexpr const char* kDir = "/db";

struct Op {
  enum Kind { kWrite, kAdd, kDelete } kind = kWrite;
  crash::Batch batch;
  int row = -1;
  enum class Outcome { kAcknowledged, kFailed, kUnknown } outcome = Outcome::kUnknown;
};

// The oracle: rows (r0.. and added ones), deleted rows and cells.
struct Oracle {
  std::set<int> rows, deleted;
  crash::State cells;

  Oracle() {
    for (int r = 0; r < crash::kRows; ++r) rows.insert(r);
  }
  void Apply(const Op& op) {
    if (op.kind == Op::kWrite) return crash::ApplyTo(cells, op.batch);
    if (op.kind == Op::kAdd) {
      rows.insert(op.row);
      deleted.erase(op.row);
      return;
    }
    rows.erase(op.row);
    deleted.insert(op.row);
    std::erase_if(cells, [&](const auto& e) { return e.first.first == op.row; });
  }
};

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

Result<CommitResult> Commit(Database& db, const Op& op, const std::string& tag) {
  if (op.kind == Op::kWrite)
    return db.Write(crash::kCube, crash::ToWriteBatch(db, op.batch), {tag, ""});
  MemberChange c;
  c.kind = op.kind == Op::kAdd ? MemberChange::Kind::kAdd : MemberChange::Kind::kDelete;
  c.dimension = "Row";
  c.member = "r" + std::to_string(op.row);
  c.parents = {{"Total", crash::RowWeight(op.row)}};
  c.delete_data = true;
  return db.ChangeMember(c, {tag, ""});
}

void CheckModel(const Database& db, const Oracle& o) {
  auto cube = db.FindCube(crash::kCube);
  if (!cube) {
    ASSERT_TRUE(o.cells.empty());
    return;
  }
  auto dim = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  for (int r : o.deleted) ASSERT_FALSE(dim->Find("r" + std::to_string(r))) << "r" << r;
  cube->ClearCache();
  for (int c = 0; c < crash::kCols; ++c) {
    const MemberId col = *cols->Find("c" + std::to_string(c));
    double total = 0;
    bool any = false;
    for (int r : o.rows) {
      auto row = dim->Find("r" + std::to_string(r));
      ASSERT_TRUE(row) << "r" << r << " lost";
      auto it = o.cells.find({r, c});
      std::optional<double> want =
          it == o.cells.end() ? std::nullopt : std::optional<double>(it->second);
      ASSERT_EQ(*cube->ReadCell({*row, col}), want) << "r" << r << " c" << c;
      if (want) total += crash::RowWeight(r) * *want, any = true;
    }
    auto got = *cube->ReadCell({*dim->Find("Total"), col});
    ASSERT_EQ(got.has_value(), any);
    if (any) ASSERT_NEAR(*got, total, 1e-6);
  }
}

TEST(StructurePowerLoss, AcknowledgedStructureChangesSurviveWhole) {
  const char* env_rounds = std::getenv("QA_POWER_LOSS_ROUNDS");
  const int rounds = env_rounds ? std::max(1, std::atoi(env_rounds) / 8) : 500;
  std::mt19937_64 rng(20261206);
  size_t acknowledged = 0, structure_acknowledged = 0, not_acknowledged = 0, snapshots = 0;
  std::unique_ptr<FaultEnv> env;
  std::map<std::string, Op> ops;  // by tag, in every round of this env
  int next_row = crash::kRows, rounds_in_env = 0;
  uint64_t tags = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    if (!env || rounds_in_env++ >= 6) {
      env = std::make_unique<FaultEnv>(rng());
      ops.clear();
      next_row = crash::kRows;
      rounds_in_env = 1;
    }
    DatabaseOptions options{.env = env.get()};
    options.snapshot_every_transactions = rng() % 3 == 0 ? 1 + rng() % 6 : 0;
    if (rng() % 8) env->PowerOffAfter(rng() % 120);
    if (rng() % 5 == 0)
      env->InjectFault(FaultEnv::Operation::kSync, 1 + rng() % 30, FaultEnv::FaultKind::kIoError);
    std::set<std::string> fresh;  // this round's tags
    if (auto db = Database::Open(kDir, options); db.ok() && EnsureModel(**db).ok()) {
      std::vector<int> rows = crash::Rows(**db);
      for (int i = 0; i < 12; ++i) {
        Op op;
        std::vector<int> added;
        for (int r : rows)
          if (r >= crash::kRows) added.push_back(r);
        const int pick = static_cast<int>(rng() % 4);
        if (pick == 0) {
          op.kind = Op::kAdd;
          op.row = next_row++;
        } else if (pick == 1 && !added.empty()) {
          op.kind = Op::kDelete;
          op.row = added[rng() % added.size()];
        } else {
          op.batch = crash::RandomBatchAmong(rng, tags, rows);
        }
        const std::string tag = "op" + std::to_string(tags++);
        auto r = Commit(**db, op, tag);
        if (r.ok()) {
          op.outcome = Op::Outcome::kAcknowledged;
          if (op.kind == Op::kAdd) rows.push_back(op.row);
          if (op.kind == Op::kDelete) std::erase(rows, op.row);
        } else {
          const StatusCode code = r.status().code();
          ASSERT_TRUE(code == StatusCode::kIoError || code == StatusCode::kUnknownOutcome)
              << tag << ": " << r.status().ToString();
          op.outcome = code == StatusCode::kIoError ? Op::Outcome::kFailed : Op::Outcome::kUnknown;
        }
        ops[tag] = op;
        fresh.insert(tag);
      }
    }
    env->Crash(rng(), rng() % 2 == 0);
    auto db = Database::Open(kDir, options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // The recovered log, replayed on the oracle, gives the recovered model.
    auto log = (*db)->ChangesSince(0, SIZE_MAX);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Oracle oracle;
    std::set<std::string> in_log;
    for (const Transaction& t : *log) {
      if (t.user == "model") continue;
      auto it = ops.find(t.user);
      ASSERT_NE(it, ops.end()) << "transaction " << t.sequence << " was never attempted";
      ASSERT_TRUE(in_log.insert(t.user).second) << t.user << " twice";
      ASSERT_NE(it->second.outcome, Op::Outcome::kFailed) << t.user << " was reported failed";
      oracle.Apply(it->second);
    }
    for (const auto& [tag, op] : ops)
      if (op.outcome == Op::Outcome::kAcknowledged) {
        ASSERT_TRUE(in_log.count(tag)) << "acknowledged " << tag << " lost";
      }
    ASSERT_NO_FATAL_FAILURE(CheckModel(**db, oracle));
    if (env->FileExists(std::string(kDir) + "/snapshot")) {
      auto verified = Database::Verify(kDir, env.get());
      ASSERT_TRUE(verified.ok()) << verified.status().ToString();
      snapshots += !verified->snapshot.empty();
    }
    for (const auto& [tag, op] : ops) {
      if (!fresh.count(tag)) continue;
      if (op.outcome != Op::Outcome::kAcknowledged) {
        ++not_acknowledged;
        continue;
      }
      ++acknowledged;
      structure_acknowledged += op.kind != Op::kWrite;
    }
    // What a later crash may no longer lose: only what the log holds stays,
    // and all of it must survive from now on.
    for (auto it = ops.begin(); it != ops.end();) {
      if (!in_log.count(it->first)) {
        it = ops.erase(it);
        continue;
      }
      it->second.outcome = Op::Outcome::kAcknowledged;
      ++it;
    }
  }
  std::printf(
      "structure power loss: %d rounds, %zu acknowledged operations (%zu structure changes) all "
      "recovered, %zu not acknowledged (failed or of unknown outcome), %zu recoveries verified "
      "from a snapshot\n",
      rounds, acknowledged, structure_acknowledged, not_acknowledged, snapshots);
  EXPECT_GT(structure_acknowledged, 0u);
  EXPECT_GT(not_acknowledged, 0u);  // the power went during operations, not only before
  EXPECT_GT(snapshots, 0u);
}

}  // namespace
}  // namespace quantatom
