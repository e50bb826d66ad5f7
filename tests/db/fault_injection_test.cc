// The database on a FaultEnv: a write that fails before anything reached the
// log is reported failed and changes nothing; a failed fsync is an unknown
// outcome after which the database refuses writes until reopened; torn,
// truncated and bit-flipped logs give the outcomes log_reader.h documents;
// directories the data lives in are durable before anything is acknowledged.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "crash/crash_model.h"
#include "env/fault_env.h"
#include "log/log_format.h"

namespace quantatom {
namespace {

namespace lf = log_format;
using Op = FaultEnv::Operation;
using Kind = FaultEnv::FaultKind;

constexpr const char* kDir = "/db";
constexpr const char* kLogDir = "/db/log";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Forwards to another Env, and can hold the next file Sync until released,
// so that writers arriving meanwhile queue up for one commit group.
class GatedEnv final : public Env {
 public:
  explicit GatedEnv(Env& base) : base_(base) {}

  void HoldNextSync() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void WaitUntilASyncIsHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = held_ = false;
    cv_.notify_all();
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return Wrap(base_.NewWritableFile(path));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return Wrap(base_.NewAppendableFile(path));
  }
  Result<std::string> ReadFile(const std::string& path) override { return base_.ReadFile(path); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_.LockFile(path);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& dir) override {
    return base_.ListDirectory(dir);
  }
  bool FileExists(const std::string& path) override { return base_.FileExists(path); }
  Status CreateDirectory(const std::string& dir) override { return base_.CreateDirectory(dir); }
  Status RemoveFile(const std::string& path) override { return base_.RemoveFile(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return base_.RenameFile(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_.TruncateFile(path, size);
  }
  Status SyncDirectory(const std::string& dir) override { return base_.SyncDirectory(dir); }
  int64_t NowMicros() override { return base_.NowMicros(); }

 private:
  class File final : public WritableFile {
   public:
    File(GatedEnv& env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override {
      env_.WaitWhileHeld();
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }

   private:
    GatedEnv& env_;
    std::unique_ptr<WritableFile> base_;
  };

  Result<std::unique_ptr<WritableFile>> Wrap(Result<std::unique_ptr<WritableFile>> file) {
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(new File(*this, std::move(file).value()));
  }
  void WaitWhileHeld() {
    std::unique_lock lock(mu_);
    if (!hold_) return;
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !hold_; });
  }

  Env& base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, held_ = false;
};

class FaultInjection : public testing::Test {
 protected:
  void SetUp() override { Reset(1); }
  void TearDown() override { db_.reset(); }

  // A fresh, empty FaultEnv whose coin flips follow `seed`.
  void Reset(uint64_t seed) {
    db_.reset();
    env_ = std::make_unique<FaultEnv>(seed);
    options_ = DatabaseOptions{.env = env_.get(), .snapshot_every_transactions = 0};
  }

  void Open(const std::string& dir = kDir) {
    db_.reset();
    auto db = Database::Open(dir, options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void OpenWithModel() {
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_TRUE(crash::EnsureModel(*db_).ok());
  }
  // Power loss with the database closed, then a reopen.
  void CrashAndReopen(uint64_t seed, bool tear) {
    db_.reset();
    env_->Crash(seed, tear);
    ASSERT_NO_FATAL_FAILURE(Open());
  }

  Result<CommitResult> Set(int row, int col, double value, const std::string& id = "") {
    return db_->Write(crash::kCube, crash::ToWriteBatch(*db_, {{row, col, value}}), {"u", id});
  }
  std::optional<double> Read(int row, int col) const {
    return *db_->FindCube(crash::kCube)
                ->ReadCell({*db_->FindDimension("Row")->Find("r" + std::to_string(row)),
                            *db_->FindDimension("Col")->Find("c" + std::to_string(col))});
  }
  // The column's Total, recomputed from the atoms.
  std::optional<double> Total(int col) const {
    auto cube = db_->FindCube(crash::kCube);
    cube->ClearCache();
    return *cube->ReadCell({*db_->FindDimension("Row")->Find("Total"),
                            *db_->FindDimension("Col")->Find("c" + std::to_string(col))});
  }

  // Log segment names, oldest first.
  std::vector<std::string> Segments() const {
    auto names = env_->ListDirectory(kLogDir);
    EXPECT_TRUE(names.ok());
    std::vector<std::string> segments;
    for (const std::string& n : *names)
      if (lf::ParseSegmentName(n)) segments.push_back(n);
    std::sort(segments.begin(), segments.end());
    return segments;
  }
  std::string SegmentPath(const std::string& name) const {
    return std::string(kLogDir) + "/" + name;
  }
  std::string Contents(const std::string& path) const {
    auto data = env_->ReadFile(path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  // Replaces a file's contents durably (its name already is).
  void Rewrite(const std::string& path, const std::string& data) {
    auto file = env_->NewWritableFile(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  // Where each record of a segment starts.
  static std::vector<size_t> RecordStarts(const std::string& data) {
    std::vector<size_t> starts;
    for (size_t offset = lf::kSegmentHeaderBytes; offset + lf::kRecordHeaderBytes <= data.size();) {
      uint32_t length;
      std::memcpy(&length, data.data() + offset, 4);
      starts.push_back(offset);
      offset += lf::kRecordHeaderBytes + length;
    }
    return starts;
  }

  // The model, then `n` single-cell writes: row i % kRows, column 0, value i.
  void OpenWithWrites(int n) {
    ASSERT_NO_FATAL_FAILURE(OpenWithModel());
    for (int i = 0; i < n; ++i) ASSERT_TRUE(Set(i % crash::kRows, 0, i).ok());
  }

  std::unique_ptr<FaultEnv> env_;
  DatabaseOptions options_;
  std::unique_ptr<Database> db_;
};

TEST_F(FaultInjection, NoSpaceOnAppendFailsTheWriteAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(OpenWithModel());
  ASSERT_TRUE(Set(0, 1, 5).ok());
  const uint64_t before = db_->last_sequence();
  env_->InjectFault(Op::kAppend, 1, Kind::kNoSpace);
  auto failed = Set(1, 1, 7);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read(1, 1), std::nullopt);
  EXPECT_EQ(Total(1), 5.0);
  EXPECT_TRUE(db_->ChangesSince(before, 10)->empty());
  auto next = Set(2, 1, 3);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->sequence, before + 1);
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen(1, true));
  EXPECT_TRUE(db_->open_warnings().empty());
  EXPECT_EQ(db_->last_sequence(), before + 1);
  EXPECT_EQ(Read(1, 1), std::nullopt);
  EXPECT_EQ(Total(1), 8.0);
}

TEST_F(FaultInjection, PartialAppendIsRolledBackAndLeavesNoTrace) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(3));
    const uint64_t before = db_->last_sequence();
    const std::string segment = SegmentPath(Segments().back());
    const size_t bytes_before = Contents(segment).size();
    env_->InjectFault(Op::kAppend, 1, Kind::kPartialAppend);
    auto failed = db_->Write(crash::kCube,
                             crash::ToWriteBatch(*db_, {{1, 1, 10}, {2, 2, 20}, {3, 3, 30}}), {});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
    EXPECT_EQ(Contents(segment).size(), bytes_before);
    EXPECT_EQ(db_->last_sequence(), before);
    EXPECT_EQ(Read(1, 1), std::nullopt);
    ASSERT_NO_FATAL_FAILURE(Open());  // reopened without a crash
    EXPECT_TRUE(db_->open_warnings().empty()) << db_->open_warnings()[0];
    EXPECT_EQ(db_->last_sequence(), before);
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, true));
    EXPECT_TRUE(db_->open_warnings().empty()) << db_->open_warnings()[0];
    EXPECT_EQ(db_->last_sequence(), before);
    EXPECT_EQ(Contents(segment).size(), bytes_before);
    auto next = Set(1, 1, 11);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->sequence, before + 1);
    EXPECT_EQ(Total(1), -11.0);  // r1 weighs -1 under Total
  }
}

TEST_F(FaultInjection, AppendFailureWhoseRollbackFailsIsUnknownOutcome) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(2));
    const uint64_t before = db_->last_sequence();
    env_->InjectFault(Op::kAppend, 1, Kind::kPartialAppend);
    env_->InjectFault(Op::kTruncateFile, 1, Kind::kIoError);
    auto failed = Set(1, 1, 10);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), StatusCode::kUnknownOutcome) << failed.status().ToString();
    EXPECT_EQ(Set(2, 1, 20).status().code(), StatusCode::kUnknownOutcome);
    EXPECT_EQ(Read(1, 1), std::nullopt);
    // The partial record is a torn tail to the next open, with or without a crash.
    ASSERT_NO_FATAL_FAILURE(Open());
    for (const std::string& w : db_->open_warnings()) EXPECT_TRUE(Contains(w, "torn record")) << w;
    EXPECT_EQ(db_->last_sequence(), before);
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, true));
    EXPECT_EQ(db_->last_sequence(), before);
    ASSERT_TRUE(Set(1, 1, 11).ok());
  }
}

TEST_F(FaultInjection, FailedFsyncIsUnknownOutcomeAndRefusesWritesUntilReopened) {
  ASSERT_NO_FATAL_FAILURE(OpenWithModel());
  ASSERT_TRUE(Set(0, 0, 1).ok());
  const uint64_t before = db_->last_sequence();
  EXPECT_FALSE(db_->Health().writes_refused);
  env_->InjectFault(Op::kSync, 1, Kind::kIoError);
  auto failed = Set(1, 0, 2);
  EXPECT_TRUE(db_->Health().writes_refused);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnknownOutcome) << failed.status().ToString();
  for (int i = 0; i < 3; ++i) {
    auto refused = Set(2, 0, 3 + i);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kUnknownOutcome);
    EXPECT_TRUE(Contains(refused.status().message(), "until the data directory is reopened"))
        << refused.status().message();
  }
  EXPECT_EQ(db_->CreateDimension("More", "member,parent,weight\nm,,\n", {}).status().code(),
            StatusCode::kUnknownOutcome);
  EXPECT_FALSE(db_->FindDimension("More"));
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read(1, 0), std::nullopt);
  EXPECT_EQ(Read(2, 0), std::nullopt);
  EXPECT_EQ(Total(0), 1.0);
  EXPECT_TRUE(db_->ChangesSince(before, 10)->empty());
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_FALSE(db_->Health().writes_refused);
  auto accepted = Set(2, 0, 4);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
}

// The fsync may or may not have reached the disk: after a power loss the
// record is wholly there or wholly absent, and the log opens. (The log cuts
// the record after the failed fsync; when that cut fails too, the fsync's
// coin decides.)
TEST_F(FaultInjection, RecordOfAFailedFsyncIsWhollyInOrOutAfterACrash) {
  int in = 0, out = 0;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(2));
    const uint64_t before = db_->last_sequence();
    env_->InjectFault(Op::kSync, 1, seed % 2 ? Kind::kIoError : Kind::kNoSpace);
    if (seed % 4 >= 2) env_->InjectFault(Op::kTruncateFile, 1, Kind::kIoError);
    auto batch = crash::ToWriteBatch(*db_, {{1, 2, 10}, {2, 2, 20}, {3, 2, 30}});
    EXPECT_EQ(db_->Write(crash::kCube, batch, {}).status().code(), StatusCode::kUnknownOutcome);
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, seed % 8 < 4));
    for (const std::string& w : db_->open_warnings()) EXPECT_TRUE(Contains(w, "torn record")) << w;
    const uint64_t after = db_->last_sequence();
    ASSERT_TRUE(after == before || after == before + 1) << after;
    const bool kept = after == before + 1;
    ++(kept ? in : out);
    EXPECT_EQ(Read(1, 2), kept ? std::optional(10.0) : std::nullopt);
    EXPECT_EQ(Read(2, 2), kept ? std::optional(20.0) : std::nullopt);
    EXPECT_EQ(Read(3, 2), kept ? std::optional(30.0) : std::nullopt);
    EXPECT_EQ(Total(2), kept ? std::optional(-10.0 + 20.0 - 30.0) : std::nullopt);
    ASSERT_TRUE(Set(4, 2, 40).ok());
  }
  EXPECT_GT(in, 0);
  EXPECT_GT(out, 0);
}

// After a failed fsync the bytes may be in the page cache but not on disk
// (Linux marks them clean). Reopening without a crash must not build newer,
// acknowledged records on them.
TEST_F(FaultInjection, ReopenAfterAFailedFsyncNeverBuildsOnLostBytes) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(2));
    env_->InjectFault(Op::kSync, 1, Kind::kIoError);
    EXPECT_EQ(Set(1, 3, 10).status().code(), StatusCode::kUnknownOutcome);
    ASSERT_NO_FATAL_FAILURE(Open());
    std::vector<uint64_t> acknowledged;
    for (int i = 0; i < 3; ++i) {
      auto r = Set(2 + i, 3, 20 + i);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      acknowledged.push_back(r->sequence);
    }
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, true));
    EXPECT_EQ(db_->last_sequence(), acknowledged.back());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(Read(2 + i, 3), 20.0 + i);
  }
}

TEST_F(FaultInjection, RetryWithTheSameClientIdAfterAnUnknownOutcomeAppliesOnce) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(1));
    const uint64_t before = db_->last_sequence();
    env_->InjectFault(Op::kSync, 1, Kind::kIoError);
    EXPECT_EQ(Set(5, 1, 50, "txn-1").status().code(), StatusCode::kUnknownOutcome);
    if (seed % 2) {
      ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, true));
    } else {
      ASSERT_NO_FATAL_FAILURE(Open());
    }
    auto retried = Set(5, 1, 50, "txn-1");
    ASSERT_TRUE(retried.ok()) << retried.status().ToString();
    auto again = Set(5, 1, 50, "txn-1");
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->sequence, retried->sequence);
    auto changes = db_->ChangesSince(before, 10);
    ASSERT_TRUE(changes.ok());
    ASSERT_EQ(changes->size(), 1u);
    EXPECT_EQ((*changes)[0].client_txn_id, "txn-1");
    EXPECT_EQ(Total(1), -50.0);
  }
}

// A segment's name must be durable before records go into it.
TEST_F(FaultInjection, FailedDirectorySyncForANewSegmentFailsTheWrite) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    options_.segment_bytes_max = 64;  // every commit starts a segment
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(2));
    const uint64_t before = db_->last_sequence();
    const size_t segments_before = Segments().size();
    env_->InjectFault(Op::kSyncDirectory, 1, seed % 2 ? Kind::kIoError : Kind::kNoSpace);
    auto failed = Set(1, 1, 10);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
    EXPECT_EQ(db_->last_sequence(), before);
    EXPECT_EQ(Read(1, 1), std::nullopt);
    EXPECT_EQ(Segments().size(), segments_before);
    EXPECT_FALSE(Set(1, 1, 12).ok());  // no fsync is retried before a reopen
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, true));
    EXPECT_TRUE(db_->open_warnings().empty()) << db_->open_warnings()[0];
    EXPECT_EQ(db_->last_sequence(), before);
    EXPECT_EQ(Read(1, 1), std::nullopt);
    auto next = Set(1, 1, 11);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->sequence, before + 1);
  }
}

TEST_F(FaultInjection, FailedFsyncAnswersEveryWriterOfItsGroupUnknownOutcome) {
  constexpr int kWriters = 4;
  GatedEnv gated(*env_);
  options_.env = &gated;
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(1));
  const uint64_t before = db_->last_sequence();
  // The first writer's fsync is held while the others queue behind it; the
  // fsync of their group, the next one, fails.
  gated.HoldNextSync();
  Result<CommitResult> first = Status::Unknown("not run");
  std::thread first_writer([&] { first = Set(0, 1, 1); });
  gated.WaitUntilASyncIsHeld();
  env_->InjectFault(Op::kSync, 2, Kind::kIoError);
  std::vector<Result<CommitResult>> results(kWriters, Status::Unknown("not run"));
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] { results[i] = Set(1 + i, 1, 10 + i); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all of them queue up
  gated.Release();
  first_writer.join();
  for (std::thread& w : writers) w.join();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (int i = 0; i < kWriters; ++i) {
    ASSERT_FALSE(results[i].ok());
    EXPECT_EQ(results[i].status().code(), StatusCode::kUnknownOutcome);
    // Told by the fsync itself, not by the refusal after it: one group.
    EXPECT_TRUE(Contains(results[i].status().message(), "injected"))
        << results[i].status().message();
    EXPECT_EQ(Read(1 + i, 1), std::nullopt);
  }
  EXPECT_EQ(Set(6, 1, 60).status().code(), StatusCode::kUnknownOutcome);
  EXPECT_EQ(db_->last_sequence(), before + 1);
  EXPECT_EQ(Total(1), 1.0);
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen(3, true));
  EXPECT_GE(db_->last_sequence(), before + 1);
  EXPECT_LE(db_->last_sequence(), before + 1 + kWriters);
  EXPECT_EQ(Read(0, 1), 1.0);
}

TEST_F(FaultInjection, TornTailIsCutWithAWarning) {
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(3));
  const uint64_t before = db_->last_sequence();
  db_.reset();
  const std::string segment = SegmentPath(Segments().back());
  const std::string data = Contents(segment);
  const size_t last = RecordStarts(data).back();
  // Half of a copy of the last record: a write the power cut short.
  Rewrite(segment, data + data.substr(last, (data.size() - last) / 2));
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_EQ(db_->open_warnings().size(), 1u);
  EXPECT_TRUE(Contains(db_->open_warnings()[0], "torn record")) << db_->open_warnings()[0];
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Contents(segment), data);
  ASSERT_TRUE(Set(7, 0, 70).ok());
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen(1, true));
  EXPECT_TRUE(db_->open_warnings().empty()) << db_->open_warnings()[0];
  EXPECT_EQ(db_->last_sequence(), before + 1);
  EXPECT_EQ(Read(7, 0), 70.0);
}

// A cut inside the last record cannot be told from a torn write.
TEST_F(FaultInjection, SegmentCutInsideItsLastRecordIsATornTail) {
  options_.segment_bytes_max = 300;
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(12));
  const uint64_t before = db_->last_sequence();
  ASSERT_EQ(Read(3, 0), 11.0);  // the last write: row 11 % 8
  db_.reset();
  ASSERT_GE(Segments().size(), 3u);
  const std::string segment = SegmentPath(Segments().back());
  const std::string data = Contents(segment);
  const size_t last = RecordStarts(data).back();
  ASSERT_TRUE(env_->TruncateFile(segment, last + (data.size() - last) / 2).ok());
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_EQ(db_->open_warnings().size(), 1u);
  EXPECT_TRUE(Contains(db_->open_warnings()[0], Segments().back())) << db_->open_warnings()[0];
  EXPECT_EQ(db_->last_sequence(), before - 1);
  EXPECT_EQ(Read(3, 0), 3.0);
  EXPECT_EQ(Contents(segment).size(), last);
}

// Records after the cut in a later segment prove it is damage, not a torn
// write: the log is refused rather than silently shortened.
TEST_F(FaultInjection, SegmentCutBeforeRecordsOfALaterSegmentRefusesToOpen) {
  options_.segment_bytes_max = 300;
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(12));
  db_.reset();
  const std::vector<std::string> segments = Segments();
  ASSERT_GE(segments.size(), 3u);
  const std::string name = segments[segments.size() - 2];
  const std::string data = Contents(SegmentPath(name));
  const size_t last = RecordStarts(data).back();
  for (size_t cut : {last + (data.size() - last) / 2, last + 3, last}) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    Rewrite(SegmentPath(name), data.substr(0, cut));
    auto db = Database::Open(kDir, options_);
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
    // Cut inside the record: the damage is named; cut at its start: the gap.
    if (cut != last) {
      EXPECT_TRUE(Contains(db.status().message(), name + " at byte " + std::to_string(last)))
          << db.status().message();
    } else {
      EXPECT_TRUE(Contains(db.status().message(), "follows")) << db.status().message();
    }
  }
  Rewrite(SegmentPath(name), data);
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_TRUE(db_->open_warnings().empty());
}

TEST_F(FaultInjection, BitFlipInAnEarlierSegmentRefusesToOpen) {
  options_.segment_bytes_max = 300;
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(12));
  db_.reset();
  const std::vector<std::string> segments = Segments();
  ASSERT_GE(segments.size(), 3u);
  const std::string name = segments[segments.size() - 2];
  std::string data = Contents(SegmentPath(name));
  const size_t record = RecordStarts(data).front();
  data[record + lf::kRecordHeaderBytes + 5] ^= 0x10;
  Rewrite(SegmentPath(name), data);
  auto db = Database::Open(kDir, options_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(db.status().message(), name + " at byte " + std::to_string(record)))
      << db.status().message();
}

// Damage in the last record, with nothing valid after it, looks exactly like
// a torn write (log_reader.h): the record is cut off with a warning.
TEST_F(FaultInjection, BitFlipInTheLastRecordIsTakenForATornTail) {
  ASSERT_NO_FATAL_FAILURE(OpenWithWrites(4));
  const uint64_t before = db_->last_sequence();
  db_.reset();
  const std::string name = Segments().back();
  std::string data = Contents(SegmentPath(name));
  const size_t last = RecordStarts(data).back();
  data[last + lf::kRecordHeaderBytes + 5] ^= 0x10;
  Rewrite(SegmentPath(name), data);
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_EQ(db_->open_warnings().size(), 1u);
  EXPECT_TRUE(
      Contains(db_->open_warnings()[0], name + ": torn record at byte " + std::to_string(last)))
      << db_->open_warnings()[0];
  EXPECT_EQ(db_->last_sequence(), before - 1);
  EXPECT_EQ(Read(3, 0), std::nullopt);
}

// A snapshot proves its last transaction was acknowledged: losing that
// record from the log (a bit flip, or a cut at its start) is damage, not a
// torn tail. Either the open refuses, or what it then acknowledges survives.
TEST_F(FaultInjection, DamageToARecordASnapshotCoversNeverLeadsToAnUnopenableLog) {
  for (bool flip : {true, false}) {
    SCOPED_TRACE(flip ? "bit flip in the last record" : "log cut before the last record");
    Reset(1);
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(4));
    ASSERT_TRUE(db_->Snapshot().ok());
    db_.reset();
    const std::string segment = SegmentPath(Segments().back());
    std::string data = Contents(segment);
    const size_t last = RecordStarts(data).back();
    if (flip) {
      data[last + lf::kRecordHeaderBytes + 5] ^= 0x10;
    } else {
      data.resize(last);
    }
    Rewrite(segment, data);
    auto db = Database::Open(kDir, options_);
    if (!db.ok()) {
      EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
      continue;
    }
    db_ = std::move(db).value();
    auto written = Set(7, 0, 70);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    ASSERT_NO_FATAL_FAILURE(Open());
    EXPECT_EQ(db_->last_sequence(), written->sequence);
    EXPECT_EQ(Read(7, 0), 70.0);
  }
}

// The data directory and its log directory must be durable before the first
// acknowledgement, even when the open that created them failed to sync them
// and a later open finds them already there.
TEST_F(FaultInjection, DirectoriesStayDurableWhenTheOpenThatCreatedThemFailedToSyncThem) {
  for (uint64_t nth : {1, 2}) {  // the sync of "/" (for /db), then of /db (for /db/log)
    for (uint64_t seed = 0; seed < 8; ++seed) {
      SCOPED_TRACE("directory sync " + std::to_string(nth) + ", seed " + std::to_string(seed));
      Reset(seed);
      env_->InjectFault(Op::kSyncDirectory, nth, Kind::kIoError);
      auto failed = Database::Open(kDir, options_);
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
      ASSERT_NO_FATAL_FAILURE(OpenWithWrites(1));
      ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, false));
      ASSERT_TRUE(db_->FindCube(crash::kCube)) << "acknowledged transactions lost";
      EXPECT_EQ(Read(0, 0), 0.0);
    }
  }
}

TEST_F(FaultInjection, DataDirectoryNamedWithATrailingSlashIsDurable) {
  ASSERT_NO_FATAL_FAILURE(Open("/db/"));
  ASSERT_TRUE(crash::EnsureModel(*db_).ok());
  ASSERT_TRUE(Set(0, 0, 1).ok());
  db_.reset();
  env_->Crash(1, false);
  ASSERT_NO_FATAL_FAILURE(Open("/db/"));
  ASSERT_TRUE(db_->FindCube(crash::kCube)) << "acknowledged transactions lost";
  EXPECT_EQ(Read(0, 0), 1.0);
}

// With the log truncated behind snapshots, a snapshot directory that is not
// durable loses the only copy of the transactions it covers.
TEST_F(FaultInjection, SnapshotDirectoryStaysDurableWhenItsFirstSyncFailed) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Reset(seed);
    options_.segment_bytes_max = 200;
    options_.truncate_log_after_snapshot = true;
    ASSERT_NO_FATAL_FAILURE(OpenWithWrites(8));
    env_->InjectFault(Op::kSyncDirectory, 1, Kind::kIoError);
    ASSERT_FALSE(db_->Snapshot().ok());
    auto snapshot = db_->Snapshot();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    ASSERT_GT(snapshot->segments_removed, 0u);
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(seed, false));
    EXPECT_EQ(Read(7, 0), 7.0);
  }
}

}  // namespace
}  // namespace quantatom
