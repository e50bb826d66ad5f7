// Env::Default(): the real file system through POSIX calls.
//
// Contracts beyond include/quantatom/env.h:
// - Errors name the call and the path ("write /db/LOG: No space left on
//   device"). ENOENT maps to kNotFound, every other errno to kIoError.
// - NewAppendableFile does not create a missing file (kNotFound): a name
//   created there would need a SyncDirectory the caller does not expect.
// - After a failed Sync every later Append and Sync on that WritableFile
//   fails too. Linux marks the dirty pages clean when writeback fails, so a
//   second fsync would report OK for data that never reached the disk
//   (PostgreSQL's "fsyncgate", 2018). Reopen and recover instead.
// - After a failed Append, Size() counts the bytes that did reach the file
//   (a short write can leave part of the data at its end).
// - ListDirectory returns names sorted, so both envs list alike.
// - A WritableFile is not thread-safe (REQUIRES: external synchronization);
//   the Env itself is.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "quantatom/env.h"

namespace quantatom {
namespace {

Status ErrnoStatus(const char* call, const std::string& path, int err) {
  std::string message =
      std::string(call) + " " + path + ": " + std::generic_category().message(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::Io(std::move(message));
}

// Opens with O_CLOEXEC, retrying when a signal interrupts the call.
int OpenRetrying(const std::string& path, int flags, mode_t mode = 0644) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    QA_RETURN_IF_ERROR(CheckUsable("write"));
    while (!data.empty()) {
      ssize_t written = ::write(fd_, data.data(), data.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      size_ += static_cast<uint64_t>(written);
      data.remove_prefix(static_cast<size_t>(written));
    }
    return Status::Ok();
  }

  Status Sync() override {
    QA_RETURN_IF_ERROR(CheckUsable("fdatasync"));
    if (::fdatasync(fd_) != 0) {
      sync_failed_ = true;
      return ErrnoStatus("fdatasync", path_, errno);
    }
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int result = ::close(fd_);
    fd_ = -1;
    // No retry on EINTR: on Linux the descriptor is released regardless.
    if (result != 0 && errno != EINTR) return ErrnoStatus("close", path_, errno);
    return Status::Ok();
  }

  uint64_t Size() const override { return size_; }

 private:
  Status CheckUsable(const char* call) const {
    if (fd_ < 0) return Status::Io(std::string(call) + " " + path_ + ": file is closed");
    if (sync_failed_) {
      return Status::Io(std::string(call) + " " + path_ +
                        ": an earlier sync failed; durable contents unknown, reopen and recover");
    }
    return Status::Ok();
  }

  const std::string path_;
  int fd_;
  uint64_t size_;
  bool sync_failed_ = false;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // releases the flock

 private:
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = OpenRetrying(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = OpenRetrying(path, O_WRONLY | O_APPEND);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = OpenRetrying(path, O_RDONLY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    std::string contents;
    char buffer[1 << 16];
    for (;;) {
      ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return ErrnoStatus("read", path, err);
      }
      contents.append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    return contents;
  }

  Result<std::vector<std::string>> ListDirectory(const std::string& dir) override {
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(handle)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;  // readdir returns null at the end and on error alike
    ::closedir(handle);
    if (err != 0) return ErrnoStatus("readdir", dir, err);
    std::sort(names.begin(), names.end());
    return names;
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status CreateDirectory(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::Ok();
    int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::Ok();
    }
    return ErrnoStatus("mkdir", dir, err);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename", from + " -> " + to, errno);
    }
    return Status::Ok();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = OpenRetrying(path, O_WRONLY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    Status status;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      status = ErrnoStatus("ftruncate", path, errno);
    } else if (::fsync(fd) != 0) {  // fsync, not fdatasync: the size is the point
      status = ErrnoStatus("fsync", path, errno);
    }
    ::close(fd);
    return status;
  }

  Status SyncDirectory(const std::string& dir) override {
    int fd = OpenRetrying(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return ErrnoStatus("open", dir, errno);
    Status status;
    if (::fsync(fd) != 0) status = ErrnoStatus("fsync", dir, errno);
    ::close(fd);
    return status;
  }

  // flock, not fcntl: its lock belongs to the open file, so a second open in
  // the same process is refused too.
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = OpenRetrying(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK)
        return Status::Precondition(path + ": held by another process or open database");
      return ErrnoStatus("flock", path, err);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }

  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv;  // never deleted: usable during static destruction
  return env;
}

}  // namespace quantatom
