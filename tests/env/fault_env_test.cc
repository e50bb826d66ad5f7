#include "env/fault_env.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace quantatom {
namespace {

using Op = FaultEnv::Operation;
using Kind = FaultEnv::FaultKind;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class FaultEnvTest : public testing::Test {
 protected:
  // /db exists durably before every test.
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDirectory("/db").ok());
    ASSERT_TRUE(env_.SyncDirectory("/").ok());
  }

  std::unique_ptr<WritableFile> Create(const std::string& path, bool sync_directory = true) {
    auto file = env_.NewWritableFile(path);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (sync_directory) {
      EXPECT_TRUE(env_.SyncDirectory("/db").ok());
    }
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // A file under /db holding `synced`, then `unsynced` not yet synced.
  std::unique_ptr<WritableFile> Write(const std::string& path, std::string_view synced,
                                      std::string_view unsynced = "") {
    auto file = Create(path);
    EXPECT_TRUE(file->Append(synced).ok());
    EXPECT_TRUE(file->Sync().ok());
    EXPECT_TRUE(file->Append(unsynced).ok());
    return file;
  }

  std::string Read(const std::string& path) {
    auto contents = env_.ReadFile(path);
    EXPECT_TRUE(contents.ok()) << contents.status().ToString();
    return contents.ok() ? *contents : "<missing>";
  }

  FaultEnv env_;
};

TEST_F(FaultEnvTest, SyncedDataSurvivesACrashAndUnsyncedDataDoesNot) {
  auto file = Write("/db/LOG", "synced", "unsynced");
  EXPECT_EQ(Read("/db/LOG"), "syncedunsynced");
  env_.Crash(1, false);
  EXPECT_EQ(Read("/db/LOG"), "synced");
}

TEST_F(FaultEnvTest, FileCreatedWithoutDirectorySyncDisappears) {
  auto file = Create("/db/LOG", /*sync_directory=*/false);
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  env_.Crash(1, false);
  EXPECT_FALSE(env_.FileExists("/db/LOG"));
  EXPECT_TRUE(env_.ListDirectory("/db")->empty());
}

TEST_F(FaultEnvTest, DirectoryCreatedWithoutParentSyncDisappears) {
  ASSERT_TRUE(env_.CreateDirectory("/db/snapshots").ok());
  ASSERT_TRUE(env_.SyncDirectory("/db/snapshots").ok());
  env_.Crash(1, false);
  EXPECT_FALSE(env_.FileExists("/db/snapshots"));
  EXPECT_TRUE(env_.FileExists("/db"));
}

TEST_F(FaultEnvTest, RenameWithoutDirectorySyncIsUndone) {
  Write("/db/CURRENT", "old");
  Write("/db/CURRENT.tmp", "new");
  ASSERT_TRUE(env_.RenameFile("/db/CURRENT.tmp", "/db/CURRENT").ok());
  EXPECT_EQ(Read("/db/CURRENT"), "new");
  env_.Crash(1, false);
  EXPECT_EQ(Read("/db/CURRENT"), "old");
  EXPECT_EQ(Read("/db/CURRENT.tmp"), "new");
}

TEST_F(FaultEnvTest, RenameFollowedByDirectorySyncSurvives) {
  Write("/db/CURRENT", "old");
  Write("/db/CURRENT.tmp", "new");
  ASSERT_TRUE(env_.RenameFile("/db/CURRENT.tmp", "/db/CURRENT").ok());
  ASSERT_TRUE(env_.SyncDirectory("/db").ok());
  env_.Crash(1, false);
  EXPECT_EQ(Read("/db/CURRENT"), "new");
  EXPECT_FALSE(env_.FileExists("/db/CURRENT.tmp"));
}

TEST_F(FaultEnvTest, RemovalWithoutDirectorySyncComesBack) {
  Write("/db/old.log", "records");
  ASSERT_TRUE(env_.RemoveFile("/db/old.log").ok());
  EXPECT_FALSE(env_.FileExists("/db/old.log"));
  env_.Crash(1, false);
  EXPECT_EQ(Read("/db/old.log"), "records");
  ASSERT_TRUE(env_.RemoveFile("/db/old.log").ok());
  ASSERT_TRUE(env_.SyncDirectory("/db").ok());
  env_.Crash(2, false);
  EXPECT_FALSE(env_.FileExists("/db/old.log"));
}

TEST_F(FaultEnvTest, TornWriteKeepsAPrefixOfTheUnsyncedBytes) {
  const std::string synced(10, 's'), unsynced(100, 'u');
  int torn_inside = 0, scribbled = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    FaultEnv env;
    auto file = env.NewWritableFile("LOG");
    ASSERT_TRUE(env.SyncDirectory("/").ok());
    ASSERT_TRUE((*file)->Append(synced).ok() && (*file)->Sync().ok());
    ASSERT_TRUE((*file)->Append(unsynced).ok());
    env.Crash(seed, /*tear_unsynced_writes=*/true);
    std::string survived = *env.ReadFile("LOG");
    ASSERT_EQ(survived.substr(0, synced.size()), synced) << "synced bytes damaged, seed " << seed;
    ASSERT_LE(survived.size(), synced.size() + unsynced.size());
    torn_inside += survived.size() > synced.size() && survived.size() < 110;
    scribbled += survived.find_first_not_of('u', synced.size()) != std::string::npos;
    env.Crash(seed + 1, true);
    EXPECT_EQ(*env.ReadFile("LOG"), survived) << "what survived is durable";
  }
  EXPECT_GT(torn_inside, 100);
  EXPECT_GT(scribbled, 50);
}

TEST_F(FaultEnvTest, NoSpaceOnAppendWritesNothing) {
  auto file = Write("/db/LOG", "abc");
  env_.InjectFault(Op::kAppend, 1, Kind::kNoSpace);
  Status status = file->Append("def");
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(status.message(), "no space left on device")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "/db/LOG"));
  EXPECT_EQ(file->Size(), 3u);
  EXPECT_EQ(Read("/db/LOG"), "abc");
  EXPECT_TRUE(file->Append("ghi").ok()) << "the fault fires once";
  EXPECT_EQ(Read("/db/LOG"), "abcghi");
}

TEST_F(FaultEnvTest, FaultHitsTheNthNextCall) {
  auto file = Create("/db/LOG");
  env_.InjectFault(Op::kAppend, 3, Kind::kIoError);
  EXPECT_TRUE(file->Append("1").ok());
  EXPECT_TRUE(file->Append("2").ok());
  EXPECT_EQ(file->Append("3").code(), StatusCode::kIoError);
  EXPECT_TRUE(file->Append("4").ok());
  EXPECT_EQ(Read("/db/LOG"), "124");
}

TEST_F(FaultEnvTest, PartialAppendLeavesAStrictPrefix) {
  const std::string record = "0123456789abcdef";
  for (int trial = 0; trial < 20; ++trial) {
    auto file = Create("/db/LOG");
    env_.InjectFault(Op::kAppend, 1, Kind::kPartialAppend);
    Status status = file->Append(record);
    EXPECT_TRUE(Contains(status.message(), "no space left on device after")) << status.ToString();
    std::string written = Read("/db/LOG");
    EXPECT_LT(written.size(), record.size());
    EXPECT_EQ(written, record.substr(0, written.size()));
    EXPECT_EQ(file->Size(), written.size()) << "Size counts what reached the file";
  }
}

TEST_F(FaultEnvTest, FailedSyncPoisonsTheFile) {
  auto file = Write("/db/LOG", "abc", "def");
  env_.InjectFault(Op::kSync, 1, Kind::kIoError);
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);
  Status append = file->Append("x"), sync = file->Sync();
  EXPECT_TRUE(Contains(append.message(), "earlier sync failed")) << append.ToString();
  EXPECT_TRUE(Contains(sync.message(), "earlier sync failed")) << sync.ToString();
  EXPECT_TRUE(file->Close().ok());
}

// fsyncgate: after a failed fsync the data may or may not be on disk, and
// data that was not stays lost even when a later fsync of another
// descriptor reports OK; reads keep showing it until the crash.
TEST_F(FaultEnvTest, FailedSyncIsACoinFlipAndLostBytesStayLost) {
  int durable = 0, lost = 0;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    FaultEnv env(seed);
    auto file = *env.NewWritableFile("LOG");
    ASSERT_TRUE(env.SyncDirectory("/").ok());
    ASSERT_TRUE(file->Append("a").ok() && file->Sync().ok() && file->Append("b").ok());
    env.InjectFault(Op::kSync, 1, Kind::kIoError);
    ASSERT_FALSE(file->Sync().ok());
    auto reopened = *env.NewAppendableFile("LOG");
    ASSERT_TRUE(reopened->Append("c").ok() && reopened->Sync().ok());
    EXPECT_EQ(*env.ReadFile("LOG"), "abc");
    env.Crash(seed, false);
    std::string survived = *env.ReadFile("LOG");
    ASSERT_TRUE(survived == "abc" || survived == std::string("a\0c", 3)) << survived;
    (survived == "abc" ? durable : lost)++;
  }
  EXPECT_GT(durable, 10);
  EXPECT_GT(lost, 10);
}

TEST_F(FaultEnvTest, TruncatingBelowLostBytesRepairsTheFile) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    FaultEnv env(seed);
    auto file = *env.NewWritableFile("LOG");
    ASSERT_TRUE(env.SyncDirectory("/").ok());
    ASSERT_TRUE(file->Append("a").ok() && file->Sync().ok() && file->Append("b").ok());
    env.InjectFault(Op::kSync, 1, Kind::kNoSpace);
    ASSERT_FALSE(file->Sync().ok());
    ASSERT_TRUE(env.TruncateFile("LOG", 1).ok());
    auto reopened = *env.NewAppendableFile("LOG");
    ASSERT_TRUE(reopened->Append("B").ok() && reopened->Sync().ok());
    env.Crash(seed, false);
    EXPECT_EQ(*env.ReadFile("LOG"), "aB");
  }
}

TEST_F(FaultEnvTest, FailedDirectorySyncIsACoinFlip) {
  int kept = 0;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    FaultEnv env(seed);
    ASSERT_TRUE(env.NewWritableFile("LOG").ok());
    env.InjectFault(Op::kSyncDirectory, 1, Kind::kIoError);
    ASSERT_EQ(env.SyncDirectory("/").code(), StatusCode::kIoError);
    env.Crash(seed, false);
    kept += env.FileExists("LOG");
  }
  EXPECT_GT(kept, 10);
  EXPECT_LT(kept, 54);
}

TEST_F(FaultEnvTest, InjectedFaultsOnNameOperationsChangeNothing) {
  Write("/db/a", "A");
  env_.InjectFault(Op::kRenameFile, 1, Kind::kIoError);
  EXPECT_FALSE(env_.RenameFile("/db/a", "/db/b").ok());
  env_.InjectFault(Op::kRemoveFile, 1, Kind::kIoError);
  EXPECT_FALSE(env_.RemoveFile("/db/a").ok());
  env_.InjectFault(Op::kTruncateFile, 1, Kind::kIoError);
  EXPECT_FALSE(env_.TruncateFile("/db/a", 0).ok());
  env_.InjectFault(Op::kNewWritableFile, 1, Kind::kNoSpace);
  EXPECT_FALSE(env_.NewWritableFile("/db/c").ok());
  env_.InjectFault(Op::kCreateDirectory, 1, Kind::kNoSpace);
  EXPECT_FALSE(env_.CreateDirectory("/db/d").ok());
  EXPECT_EQ(*env_.ListDirectory("/db"), std::vector<std::string>{"a"});
  EXPECT_EQ(Read("/db/a"), "A");
}

TEST_F(FaultEnvTest, WritableFilesOpenAtTheCrashBecomeInvalid) {
  auto file = Write("/db/LOG", "abc");
  env_.Crash(1, false);
  for (const Status& status : {file->Append("x"), file->Sync(), file->Close()}) {
    EXPECT_EQ(status.code(), StatusCode::kIoError);
    EXPECT_TRUE(Contains(status.message(), "power failed")) << status.ToString();
  }
  auto reopened = env_.NewAppendableFile("/db/LOG");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Size(), 3u);
  EXPECT_TRUE((*reopened)->Append("d").ok());
}

TEST_F(FaultEnvTest, PowerOffFailsEveryLaterCallUntilTheCrash) {
  uint64_t before = env_.operations();
  env_.PowerOffAfter(2);
  auto file = Create("/db/LOG");  // NewWritableFile and SyncDirectory: 2 operations
  EXPECT_EQ(env_.operations(), before + 2);
  EXPECT_FALSE(env_.powered_off());
  Status status = file->Append("x");
  EXPECT_TRUE(Contains(status.message(), "power is off")) << status.ToString();
  EXPECT_TRUE(env_.powered_off());
  EXPECT_FALSE(env_.ReadFile("/db/LOG").ok());
  EXPECT_FALSE(env_.FileExists("/db/LOG"));
  env_.Crash(1, false);
  EXPECT_EQ(Read("/db/LOG"), "");
  EXPECT_TRUE(env_.NewWritableFile("/db/other").ok());
}

TEST_F(FaultEnvTest, PathsAreNormalizedAndErrorsNameThem) {
  Write("/db/LOG", "x");
  EXPECT_EQ(Read("db//./LOG"), "x");
  EXPECT_EQ(env_.ReadFile("/db/../LOG").status().code(), StatusCode::kInvalidArgument);
  auto missing = env_.ReadFile("/db/missing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status().message(), "/db/missing"));
  EXPECT_EQ(env_.NewAppendableFile("/db/missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env_.NewWritableFile("/nodir/LOG").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env_.CreateDirectory("/db/LOG").code(), StatusCode::kIoError);
  EXPECT_EQ(env_.RenameFile("/db", "/x").code(), StatusCode::kIoError) << "files only";
}

// The pattern a crash test follows: count a workload's operations, then cut
// the power at random points; every acknowledged (synced) record survives.
TEST_F(FaultEnvTest, RandomPowerFailuresNeverLoseAcknowledgedRecords) {
  auto workload = [](FaultEnv& env, int* acknowledged) {
    auto file = env.NewWritableFile("LOG");
    if (!file.ok() || !env.SyncDirectory("/").ok()) return;
    for (int i = 0; i < 50; ++i) {
      if (!(*file)->Append("record" + std::to_string(i) + ";").ok()) return;
      if (!(*file)->Sync().ok()) return;
      *acknowledged = i + 1;
    }
  };
  FaultEnv dry_run;
  int acknowledged = 0;
  workload(dry_run, &acknowledged);
  const uint64_t operations = dry_run.operations();
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    FaultEnv env(trial);
    env.PowerOffAfter(rng() % (operations + 1));
    acknowledged = 0;
    workload(env, &acknowledged);
    env.Crash(trial, /*tear_unsynced_writes=*/true);
    std::string expected;
    for (int i = 0; i < acknowledged; ++i) expected += "record" + std::to_string(i) + ";";
    auto survived = env.ReadFile("LOG");
    if (acknowledged == 0) continue;
    ASSERT_TRUE(survived.ok());
    ASSERT_EQ(survived->substr(0, expected.size()), expected) << "trial " << trial;
  }
}

TEST_F(FaultEnvTest, ConcurrentAppendsAndReadsAreSafe) {
  auto shared = Create("/db/shared");
  constexpr int kThreads = 4, kRecords = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto own = *env_.NewWritableFile("/db/own" + std::to_string(t));
      for (int i = 0; i < kRecords; ++i) {
        ASSERT_TRUE(shared->Append(std::string(1, static_cast<char>('a' + t))).ok());
        ASSERT_TRUE(own->Append("r").ok());
        if (i % 100 == 0) {
          ASSERT_TRUE(own->Sync().ok());
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(env_.ReadFile("/db/shared").ok());
      ASSERT_TRUE(env_.ListDirectory("/db").ok());
    }
  });
  for (auto& thread : threads) thread.join();
  std::string contents = Read("/db/shared");
  ASSERT_EQ(contents.size(), size_t{kThreads * kRecords});
  EXPECT_EQ(shared->Size(), contents.size());
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(std::count(contents.begin(), contents.end(), 'a' + t), kRecords);
    EXPECT_EQ(Read("/db/own" + std::to_string(t)).size(), size_t{kRecords});
  }
}

TEST_F(FaultEnvTest, LockIsExclusiveAndGoesWithCrash) {
  auto first = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(env_.LockFile("/db/LOCK").status().code(), StatusCode::kFailedPrecondition);
  first->reset();
  auto second = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(second.ok());
  env_.Crash(1, false);  // the holder died with the power
  auto third = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(third.ok());
  second->reset();  // the dead holder's lock going does not free the new one
  EXPECT_FALSE(env_.LockFile("/db/LOCK").ok());
}

}  // namespace
}  // namespace quantatom
