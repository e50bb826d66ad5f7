// The change feed: live listeners and recent transactions from memory, the
// older ones from the log, the same either way.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

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

// A load larger than the tail is logged straight from its partitions and
// never held as deltas in memory; a smaller one is held. Either way the log
// must carry the same deltas, old values included.
TEST_F(ChangeFeedTest, LargeLoadsAreLoggedAsSmallOnesAreKept) {
  std::string region = "member,parent,weight\nWorld,,\n";
  for (int i = 0; i < 300; ++i) region += "R" + std::to_string(i) + ",World,1\n";
  const fs::path facts = dir_.parent_path() / "facts.csv";
  {
    std::string text = "Region,Value\n";
    for (int i = 0; i < 300; i += 2)
      text += "R" + std::to_string(i) + "," + std::to_string(i) + "\n";
    text += "R4,0.5\n";  // a duplicate, summed
    std::ofstream(facts) << text;
  }
  using Deltas = std::vector<std::tuple<MemberId, std::optional<double>, std::optional<double>>>;
  auto deltas_of = [](const Transaction& t) {
    Deltas out;
    for (size_t i = 0; i < t.deltas.size(); ++i)
      out.push_back({t.deltas.coordinate(i)[0], t.deltas.old_value(i), t.deltas.new_value(i)});
    return out;
  };
  std::map<size_t, Deltas> logged;
  for (size_t feed_max : {size_t{8}, size_t{1} << 20}) {
    SCOPED_TRACE("feed max " + std::to_string(feed_max));
    fs::remove_all(dir_);
    Open(feed_max);
    ASSERT_TRUE(db_->CreateDimension("Region", region, {}).ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region"}, {}).ok());
    ASSERT_TRUE(Set(3, 7).ok());  // R2: replaced by the load, an old value
    ASSERT_TRUE(Set(4, 9).ok());  // R3: untouched
    std::vector<std::shared_ptr<const Transaction>> heard;
    std::mutex mu;
    db_->Subscribe([&](const std::shared_ptr<const Transaction>& t) {
      std::lock_guard lock(mu);
      heard.push_back(t);
    });
    auto loaded = db_->LoadFacts("Sales", facts.string(), {"ann", ""});
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->atoms_changed, 150u);
    ASSERT_EQ(heard.size(), 1u);
    const bool kept = feed_max > 150;
    EXPECT_EQ(heard[0]->deltas.size(), kept ? 150u : 0u);
    EXPECT_EQ(heard[0]->omitted_deltas, kept ? 0u : 150u);
    auto live = db_->ChangesSince(loaded->sequence - 1, 10);
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    ASSERT_EQ(live->size(), 1u);
    logged[feed_max] = deltas_of((*live)[0]);
    Open(feed_max);  // from the log
    auto reread = db_->ChangesSince(loaded->sequence - 1, 10);
    ASSERT_TRUE(reread.ok());
    ASSERT_EQ(reread->size(), 1u);
    EXPECT_EQ(deltas_of((*reread)[0]), logged[feed_max]);
  }
  EXPECT_EQ(logged[8], logged[size_t{1} << 20]);
  const Deltas& d = logged[8];
  ASSERT_EQ(d.size(), 150u);
  EXPECT_EQ(d[0], std::make_tuple(MemberId{1}, std::optional<double>(), std::optional<double>(0)));
  EXPECT_EQ(d[1], std::make_tuple(MemberId{3}, std::optional<double>(7), std::optional<double>(2)));
  EXPECT_EQ(d[2],
            std::make_tuple(MemberId{5}, std::optional<double>(), std::optional<double>(4.5)));
}

}  // namespace
}  // namespace quantatom
