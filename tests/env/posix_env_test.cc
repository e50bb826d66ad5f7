#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "quantatom/env.h"

namespace quantatom {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PosixEnvTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "posix_env_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void Write(const std::string& name, std::string_view data) {
    auto file = env_->NewWritableFile(Path(name));
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string Read(const std::string& name) {
    auto contents = env_->ReadFile(Path(name));
    EXPECT_TRUE(contents.ok()) << contents.status().ToString();
    return contents.ok() ? *contents : "";
  }

  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(PosixEnvTest, AppendSyncReadRoundTrip) {
  auto file = env_->NewWritableFile(Path("LOG"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ((*file)->Size(), 11u);
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read("LOG"), "hello world");
  EXPECT_TRUE(env_->SyncDirectory(dir_).ok());
}

TEST_F(PosixEnvTest, LargeAppendReadsBackWhole) {
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  Write("big", data);
  EXPECT_EQ(Read("big"), data);
}

TEST_F(PosixEnvTest, NewWritableFileTruncatesAnExistingFile) {
  Write("LOG", "old contents");
  Write("LOG", "new");
  EXPECT_EQ(Read("LOG"), "new");
}

TEST_F(PosixEnvTest, AppendableFileStartsAtTheCurrentSize) {
  Write("LOG", "abc");
  auto file = env_->NewAppendableFile(Path("LOG"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size(), 3u);
  ASSERT_TRUE((*file)->Append("def").ok());
  EXPECT_EQ((*file)->Size(), 6u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read("LOG"), "abcdef");
}

TEST_F(PosixEnvTest, AppendableFileIsNotCreatedWhenMissing) {
  auto file = env_->NewAppendableFile(Path("missing"));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(file.status().message(), Path("missing")));
  EXPECT_FALSE(env_->FileExists(Path("missing")));
}

TEST_F(PosixEnvTest, RenameReplacesTheTarget) {
  Write("CURRENT", "old");
  Write("CURRENT.tmp", "new");
  ASSERT_TRUE(env_->RenameFile(Path("CURRENT.tmp"), Path("CURRENT")).ok());
  ASSERT_TRUE(env_->SyncDirectory(dir_).ok());
  EXPECT_EQ(Read("CURRENT"), "new");
  EXPECT_FALSE(env_->FileExists(Path("CURRENT.tmp")));
}

TEST_F(PosixEnvTest, ListDirectoryGivesSortedNamesWithoutDots) {
  Write("c", "");
  Write("a", "");
  ASSERT_TRUE(env_->CreateDirectory(Path("b")).ok());
  auto names = env_->ListDirectory(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PosixEnvTest, CreateDirectoryAcceptsAnExistingDirectoryOnly) {
  ASSERT_TRUE(env_->CreateDirectory(Path("snapshots")).ok());
  EXPECT_TRUE(env_->CreateDirectory(Path("snapshots")).ok());
  EXPECT_TRUE(env_->FileExists(Path("snapshots")));
  Write("plain", "x");
  Status status = env_->CreateDirectory(Path("plain"));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(status.message(), Path("plain")));
}

TEST_F(PosixEnvTest, TruncateCutsTheFile) {
  Write("LOG", "0123456789");
  ASSERT_TRUE(env_->TruncateFile(Path("LOG"), 4).ok());
  EXPECT_EQ(Read("LOG"), "0123");
}

TEST_F(PosixEnvTest, RemoveFileDeletesTheName) {
  Write("LOG", "x");
  ASSERT_TRUE(env_->RemoveFile(Path("LOG")).ok());
  EXPECT_FALSE(env_->FileExists(Path("LOG")));
  EXPECT_EQ(env_->RemoveFile(Path("LOG")).code(), StatusCode::kNotFound);
}

TEST_F(PosixEnvTest, ErrorsNameThePath) {
  const std::string missing = Path("no/such");
  for (const Status& status :
       {env_->ReadFile(missing).status(), env_->ListDirectory(missing).status(),
        env_->RemoveFile(missing), env_->TruncateFile(missing, 0), env_->SyncDirectory(missing),
        env_->NewWritableFile(missing).status()}) {
    EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
    EXPECT_TRUE(Contains(status.message(), missing)) << status.ToString();
  }
  Status rename = env_->RenameFile(missing, Path("to"));
  EXPECT_TRUE(Contains(rename.message(), missing) && Contains(rename.message(), Path("to")));
}

TEST_F(PosixEnvTest, AppendToAFullDeviceReportsNoSpace) {
  if (!env_->FileExists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto file = env_->NewAppendableFile("/dev/full");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  Status status = (*file)->Append("data");
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(status.message(), "/dev/full")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "No space left on device")) << status.ToString();
}

TEST_F(PosixEnvTest, ClosedFileRefusesWrites) {
  auto file = env_->NewWritableFile(Path("LOG"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok());
  EXPECT_EQ((*file)->Append("x").code(), StatusCode::kIoError);
  EXPECT_EQ((*file)->Sync().code(), StatusCode::kIoError);
}

TEST_F(PosixEnvTest, NowMicrosIsTheWallClock) {
  int64_t before = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int64_t now = env_->NowMicros();
  EXPECT_GE(now, before);
  EXPECT_LT(now - before, 10'000'000);
}

}  // namespace
}  // namespace quantatom
