// kill -9 at random moments: every acknowledged transaction survives, no
// batch is seen in part, and aggregates equal a recomputation. Rounds:
// QA_CRASH_ROUNDS (default 100); scripts/soak.sh runs thousands.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "crash/crash_model.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;
using crash::Batch;
using crash::State;

// What the child meant to commit: a batch, or a row added or deleted.
struct Intent {
  Batch batch;
  int added = -1, deleted = -1;
};

struct ChildRun {
  uint64_t start_sequence = 0;
  std::vector<Intent> intents;  // in commit order, one transaction each
  std::vector<uint64_t> acked;  // sequences acknowledged
};

// Runs the child until `lifetime`, then SIGKILL; returns what it printed.
ChildRun RunAndKill(const std::string& dir, uint64_t seed, std::chrono::microseconds lifetime,
                    bool structure = false) {
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  std::string child =
      (fs::read_symlink("/proc/self/exe").parent_path() / "quantatom_crash_child").string();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(child.c_str(), child.c_str(), dir.c_str(), std::to_string(seed).c_str(),
          structure ? "structure" : nullptr, nullptr);
    _exit(127);
  }
  close(out[1]);
  std::this_thread::sleep_for(lifetime);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, n);
  close(out[0]);
  ChildRun run;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) break;  // a line cut by the kill
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("S ", 0) == 0) run.start_sequence = std::stoull(line.substr(2));
    if (line.rfind("B ", 0) == 0) run.intents.push_back({*crash::Parse(line.substr(2))});
    if (line.rfind("M+ ", 0) == 0) run.intents.push_back({{}, std::stoi(line.substr(3)), -1});
    if (line.rfind("M- ", 0) == 0) run.intents.push_back({{}, -1, std::stoi(line.substr(3))});
    if (line.rfind("A ", 0) == 0) run.acked.push_back(std::stoull(line.substr(2)));
  }
  return run;
}

void CheckState(Database& db, const State& want) {
  auto cube = db.FindCube(crash::kCube);
  auto rows = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  for (int c = 0; c < crash::kCols; ++c) {
    double total = 0;
    bool any = false;
    for (int r = 0; r < crash::kRows; ++r) {
      Coordinate cell{*rows->Find("r" + std::to_string(r)), *cols->Find("c" + std::to_string(c))};
      auto it = want.find({r, c});
      std::optional<double> expected =
          it == want.end() ? std::nullopt : std::optional<double>(it->second);
      ASSERT_EQ(*cube->ReadCell(cell), expected) << "r" << r << " c" << c;
      if (expected) total += crash::RowWeight(r) * *expected, any = true;
    }
    Coordinate total_cell{*rows->Find("Total"), *cols->Find("c" + std::to_string(c))};
    cube->ClearCache();
    auto got = *cube->ReadCell(total_cell);
    ASSERT_EQ(got.has_value(), any);
    if (any) ASSERT_NEAR(*got, total, 1e-6);
  }
}

TEST(KillNine, AcknowledgedTransactionsSurviveAndBatchesStayWhole) {
  const char* env_rounds = std::getenv("QA_CRASH_ROUNDS");
  const int rounds = env_rounds ? std::atoi(env_rounds) : 100;
  fs::path dir = fs::temp_directory_path() / ("qa_kill_" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::mt19937_64 rng(20261124);
  State state;
  uint64_t last_sequence = 0;
  size_t acked_total = 0, lost_unacked = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto lifetime = std::chrono::microseconds(2000 + rng() % 60000);
    ChildRun run = RunAndKill(dir.string(), rng(), lifetime);
    auto db = Database::Open(dir.string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    if (run.start_sequence == 0) {  // killed before it even opened: nothing promised
      ASSERT_TRUE(run.acked.empty());
      continue;
    }
    ASSERT_GE(run.start_sequence, last_sequence);
    const uint64_t recovered = (*db)->last_sequence();
    for (uint64_t seq : run.acked) ASSERT_LE(seq, recovered) << "acknowledged transaction lost";
    // Batch i of this run committed as start + 1 + i; those up to the
    // recovered sequence are in, whole; the rest are not, at all.
    ASSERT_LE(recovered, run.start_sequence + run.intents.size());
    for (size_t i = 0; i < run.intents.size() && run.start_sequence + 1 + i <= recovered; ++i)
      crash::ApplyTo(state, run.intents[i].batch);
    ASSERT_NO_FATAL_FAILURE(CheckState(**db, state));
    acked_total += run.acked.size();
    lost_unacked += run.start_sequence + run.intents.size() - recovered;
    last_sequence = recovered;
  }
  std::printf(
      "kill -9: %d rounds, %zu acknowledged transactions all recovered, %zu in-flight ones not\n",
      rounds, acked_total, lost_unacked);
  EXPECT_GT(acked_total, 0u) << "no round got far enough to acknowledge anything";
  fs::remove_all(dir);
}

// The rows of `rows` exist with their cells as `want` says, the deleted
// ones do not, and each column's Total is the weighted sum.
void CheckRows(Database& db, const std::set<int>& rows, const std::set<int>& deleted,
               const State& want) {
  auto cube = db.FindCube(crash::kCube);
  auto dim = db.FindDimension("Row");
  auto cols = db.FindDimension("Col");
  for (int r : deleted) ASSERT_FALSE(dim->Find("r" + std::to_string(r))) << "r" << r;
  cube->ClearCache();
  for (int c = 0; c < crash::kCols; ++c) {
    const MemberId col = *cols->Find("c" + std::to_string(c));
    double total = 0;
    bool any = false;
    for (int r : rows) {
      auto row = dim->Find("r" + std::to_string(r));
      ASSERT_TRUE(row) << "r" << r << " is lost";
      auto it = want.find({r, c});
      std::optional<double> expected =
          it == want.end() ? std::nullopt : std::optional<double>(it->second);
      ASSERT_EQ(*cube->ReadCell({*row, col}), expected) << "r" << r << " c" << c;
      if (expected) total += crash::RowWeight(r) * *expected, any = true;
    }
    auto got = *cube->ReadCell({*dim->Find("Total"), col});
    ASSERT_EQ(got.has_value(), any);
    if (any) ASSERT_NEAR(*got, total, 1e-6);
  }
}

TEST(KillNine, StructureChangesSurviveWholeAmongTheWrites) {
  const char* env_rounds = std::getenv("QA_CRASH_ROUNDS");
  const int rounds = env_rounds ? std::atoi(env_rounds) / 2 : 50;
  fs::path dir = fs::temp_directory_path() / ("qa_kill_structure_" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::mt19937_64 rng(20261206);
  State state;
  std::set<int> rows, deleted;
  for (int r = 0; r < crash::kRows; ++r) rows.insert(r);
  size_t acked_total = 0, structure_changes = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ChildRun run =
        RunAndKill(dir.string(), rng(), std::chrono::microseconds(2000 + rng() % 60000), true);
    auto db = Database::Open(dir.string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    if (run.start_sequence == 0) {
      ASSERT_TRUE(run.acked.empty());
      continue;
    }
    const uint64_t recovered = (*db)->last_sequence();
    for (uint64_t seq : run.acked) ASSERT_LE(seq, recovered) << "acknowledged transaction lost";
    ASSERT_LE(recovered, run.start_sequence + run.intents.size());
    for (size_t i = 0; i < run.intents.size() && run.start_sequence + 1 + i <= recovered; ++i) {
      const Intent& intent = run.intents[i];
      if (intent.added >= 0) {
        rows.insert(intent.added);
        deleted.erase(intent.added);
        ++structure_changes;
      } else if (intent.deleted >= 0) {
        rows.erase(intent.deleted);
        deleted.insert(intent.deleted);
        std::erase_if(state, [&](const auto& e) { return e.first.first == intent.deleted; });
        ++structure_changes;
      } else {
        crash::ApplyTo(state, intent.batch);
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckRows(**db, rows, deleted, state));
    acked_total += run.acked.size();
  }
  std::printf(
      "kill -9 with structure changes: %d rounds, %zu acknowledged transactions, %zu "
      "structure changes recovered\n",
      rounds, acked_total, structure_changes);
  EXPECT_GT(structure_changes, 0u);
  auto verified = Database::Verify(dir.string());
  EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace quantatom
