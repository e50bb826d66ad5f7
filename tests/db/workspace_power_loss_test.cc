// Simulated power failures (FaultEnv) during holds, sandbox writes, sandbox
// commits and discards mixed with base writes: after the reboot the base,
// the sandbox and the holds are exactly as the acknowledged operations left
// them, plus at most the one operation whose outcome was unknown. Rounds:
// QA_WORKSPACE_POWER_LOSS_ROUNDS (default 500).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <set>

#include "crash/crash_model.h"
#include "env/fault_env.h"

namespace quantatom {
namespace {

constexpr const char* kDir = "/db";
constexpr const char* kUser = "u";
constexpr const char* kSandbox = "s";
constexpr int kOperationsMax = 30;

using CellKey = std::pair<int, int>;

// What the operations leave, as the oracle sees it.
struct Expected {
  crash::State base;
  std::map<CellKey, std::optional<double>> sandbox;  // its cells; empty when none
  std::set<CellKey> holds;
  bool operator==(const Expected&) const = default;
};

enum class OpKind { kWrite, kSandboxWrite, kHold, kCommit, kDiscard };

struct Operation {
  OpKind kind;
  crash::Batch batch;  // kWrite, kSandboxWrite
  std::set<CellKey> holds;
};

Operation RandomOperation(std::mt19937_64& rng, uint64_t n, const Expected& now) {
  const bool sandbox_has_cells = !now.sandbox.empty();
  switch (rng() % (sandbox_has_cells ? 6 : 3)) {
    case 0:
      return {OpKind::kWrite, crash::RandomBatch(rng, n), {}};
    case 1:
      return {OpKind::kSandboxWrite, crash::RandomBatch(rng, n), {}};
    case 2: {
      std::set<CellKey> holds;
      for (int i = static_cast<int>(rng() % 3); i > 0; --i)
        holds.insert(
            {static_cast<int>(rng() % crash::kRows), static_cast<int>(rng() % crash::kCols)});
      return {OpKind::kHold, {}, holds};
    }
    case 3:
    case 4:
      return {OpKind::kCommit, {}, {}};
    default:
      return {OpKind::kDiscard, {}, {}};
  }
}

void ApplyTo(Expected& e, const Operation& op) {
  switch (op.kind) {
    case OpKind::kWrite:
      crash::ApplyTo(e.base, op.batch);
      break;
    case OpKind::kSandboxWrite:
      for (const crash::Cell& c : op.batch) e.sandbox[{c.row, c.col}] = c.value;
      break;
    case OpKind::kHold:
      e.holds = op.holds;
      break;
    case OpKind::kCommit:  // kKeepMine: the sandbox's cells win
      for (const auto& [cell, value] : e.sandbox) {
        if (value)
          e.base[cell] = *value;
        else
          e.base.erase(cell);
      }
      e.sandbox.clear();
      break;
    case OpKind::kDiscard:
      e.sandbox.clear();
      break;
  }
}

Coordinate CellAt(const Database& db, CellKey cell) {
  return {*db.FindDimension("Row")->Find("r" + std::to_string(cell.first)),
          *db.FindDimension("Col")->Find("c" + std::to_string(cell.second))};
}

CellKey KeyOf(const Database& db, const Coordinate& c) {
  return {std::stoi(db.FindDimension("Row")->member_name(c[0]).substr(1)),
          std::stoi(db.FindDimension("Col")->member_name(c[1]).substr(1))};
}

Status Perform(Database& db, const Operation& op) {
  const CommitContext ctx{kUser, ""};
  switch (op.kind) {
    case OpKind::kWrite:
      return db.Write(crash::kCube, crash::ToWriteBatch(db, op.batch), ctx).status();
    case OpKind::kSandboxWrite:
      return db.WriteSandbox(kSandbox, crash::kCube, crash::ToWriteBatch(db, op.batch), ctx)
          .status();
    case OpKind::kHold: {
      std::vector<Coordinate> cells;
      for (CellKey h : op.holds) cells.push_back(CellAt(db, h));
      return db.SetHolds(crash::kCube, std::move(cells), ctx).status();
    }
    case OpKind::kCommit:
      return db.CommitSandbox(kSandbox, ConflictPolicy::kKeepMine, ctx).status();
    case OpKind::kDiscard:
      return db.DiscardSandbox(kSandbox, ctx).status();
  }
  return Status::Ok();
}

// The database's state, read as the oracle keeps it.
Expected Read(const Database& db) {
  Expected out;
  auto cube = db.FindCube(crash::kCube);
  const auto& dims = cube->dimensions();
  cube->ForEachAtom([&](const AtomRef& a) {
    Coordinate cell = {dims[0]->leaf_member(a.leaves[0]), dims[1]->leaf_member(a.leaves[1])};
    out.base[KeyOf(db, cell)] = a.value;
  });
  if (auto sandbox = db.FindSandbox(kUser, kSandbox))
    for (const auto& [cell, value] : sandbox->cells) out.sandbox[KeyOf(db, cell)] = value;
  for (const Coordinate& h : db.Holds(kUser, crash::kCube)) out.holds.insert(KeyOf(db, h));
  return out;
}

std::string Describe(const Expected& e) {
  std::string s = "base:";
  for (const auto& [cell, v] : e.base)
    s += " " + std::to_string(cell.first) + "," + std::to_string(cell.second) + "=" +
         std::to_string(v);
  s += "; sandbox:";
  for (const auto& [cell, v] : e.sandbox)
    s += " " + std::to_string(cell.first) + "," + std::to_string(cell.second) + "=" +
         (v ? std::to_string(*v) : "-");
  s += "; holds: " + std::to_string(e.holds.size());
  return s;
}

TEST(WorkspacePowerLoss, AcknowledgedHoldsSandboxesAndCommitsSurvive) {
  const char* env_rounds = std::getenv("QA_WORKSPACE_POWER_LOSS_ROUNDS");
  const int rounds = env_rounds ? std::atoi(env_rounds) : 500;
  std::mt19937_64 rng(20261207);
  size_t acknowledged = 0, unknown_in = 0, unknown_out = 0, crashed = 0;
  uint64_t batches = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    FaultEnv env(rng());
    DatabaseOptions options{.env = &env};
    options.snapshot_every_transactions = rng() % 3 == 0 ? 1 + rng() % 6 : 0;
    Expected acked;
    std::optional<Operation> in_doubt;  // the first operation that did not succeed
    {
      auto db = Database::Open(kDir, options);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      ASSERT_TRUE(crash::EnsureModel(**db).ok());
      const int operations = 1 + static_cast<int>(rng() % kOperationsMax);
      // Each operation takes a couple of file operations: the power fails
      // somewhere among them (or, one round in eight, not at all).
      if (rng() % 8) env.PowerOffAfter(rng() % (3 * operations + 1));
      for (int i = 0; i < operations; ++i) {
        Operation op = RandomOperation(rng, batches++, acked);
        Status s = Perform(**db, op);
        if (!s.ok()) {
          ASSERT_TRUE(env.powered_off()) << s.ToString();
          ASSERT_TRUE(s.code() == StatusCode::kIoError || s.code() == StatusCode::kUnknownOutcome)
              << s.ToString();
          if (s.code() == StatusCode::kUnknownOutcome) in_doubt = op;
          break;
        }
        ApplyTo(acked, op);
        ++acknowledged;
      }
    }
    crashed += env.powered_off();
    env.Crash(rng(), rng() % 2 == 0);
    auto db = Database::Open(kDir, options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const Expected got = Read(**db);
    if (got == acked) {
      unknown_out += in_doubt.has_value();
      continue;
    }
    ASSERT_TRUE(in_doubt) << "recovered " << Describe(got) << "\nacknowledged " << Describe(acked);
    Expected with = acked;
    ApplyTo(with, *in_doubt);
    ASSERT_EQ(got, with) << "recovered " << Describe(got) << "\nacknowledged " << Describe(acked);
    ++unknown_in;
  }
  std::printf(
      "workspace power loss: %d rounds, %zu crashed, %zu acknowledged operations all recovered, "
      "%zu of unknown outcome in and %zu out\n",
      rounds, crashed, acknowledged, unknown_in, unknown_out);
}

}  // namespace
}  // namespace quantatom
