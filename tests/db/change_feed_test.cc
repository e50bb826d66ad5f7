// The change feed: live listeners and recent transactions from memory, the
// older ones from the log, the same either way.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

class ChangeFeedTest : public ::testing::Test {
 protected:
  void Open(size_t feed_deltas_max) {
    db_.reset();
    DatabaseOptions options;
    options.snapshot_every_transactions = 0;
    options.change_feed_deltas_max = feed_deltas_max;
    auto db = Database::Open(dir_.string(), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void MakeCube() {
    ASSERT_TRUE(db_->CreateDimension("Region",
                                     "member,parent,weight\nWorld,,\nEast,World,1\n"
                                     "West,World,1\nNorth,World,1\n",
                                     {})
                    .ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region"}, {}).ok());
  }
  Status Set(MemberId region, double v) {
    WriteBatch b;
    b.Set({region}, v);
    return db_->Write("Sales", b, {"ann", ""}).status();
  }
  // Sequence, first new value of each transaction.
  static std::vector<std::pair<uint64_t, double>> Summary(const std::vector<Transaction>& txns) {
    std::vector<std::pair<uint64_t, double>> out;
    for (const Transaction& t : txns)
      out.push_back({t.sequence, t.deltas.size() ? t.deltas.new_value(0).value_or(-1) : 0});
    return out;
  }

  testing::ScopedTempDir temp_{"qa_feed"};
  const fs::path& dir_ = temp_.path();
  std::unique_ptr<Database> db_;
};

TEST_F(ChangeFeedTest, ListenersHearEveryCommitInOrderUntilTheyUnsubscribe) {
  Open(1 << 20);
  MakeCube();
  std::mutex mu;
  std::vector<uint64_t> heard;
  uint64_t id = db_->Subscribe([&](const std::shared_ptr<const Transaction>& t) {
    std::lock_guard lock(mu);
    heard.push_back(t->sequence);
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(Set(1 + w % 3, i).ok());
    });
  for (auto& t : writers) t.join();
  db_->Unsubscribe(id);
  ASSERT_TRUE(Set(1, 99).ok());
  std::lock_guard lock(mu);
  ASSERT_EQ(heard.size(), 200u);
  for (size_t i = 0; i < heard.size(); ++i) EXPECT_EQ(heard[i], 3 + i);  // after 2 structure txns
}

TEST_F(ChangeFeedTest, RecentChangesFromMemoryEqualThoseFromTheLog) {
  Open(8);  // the tail keeps 8 deltas: most of the feed comes from the log
  MakeCube();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Set(1 + i % 3, i).ok());
  for (uint64_t since : {0, 1, 5, 20, 25, 31, 32, 40}) {
    SCOPED_TRACE("since " + std::to_string(since));
    const uint64_t last = db_->last_sequence();
    auto live = db_->ChangesSince(since, 10);
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    EXPECT_EQ(live->size(), std::min<uint64_t>(10, last - std::min(since, last)));
    Open(8);  // a fresh feed: everything from the log
    auto logged = db_->ChangesSince(since, 10);
    ASSERT_TRUE(logged.ok()) << logged.status().ToString();
    EXPECT_EQ(Summary(*live), Summary(*logged));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Set(1, 100 + i).ok());  // the tail refills
  }
}

}  // namespace
}  // namespace quantatom
