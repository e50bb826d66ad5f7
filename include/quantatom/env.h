// The file-system seam. Every file operation of the log and snapshot code
// goes through an Env, so tests can inject faults and simulate power loss
// (like LevelDB's Env or SQLite's VFS).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/status.h"

namespace quantatom {

// An append-only file. Data handed to Append is durable only after Sync
// returns OK. After a failed Sync the file's durable contents are unknown.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;  // fdatasync: data and the size that reaches it
  virtual Status Close() = 0;
  virtual uint64_t Size() const = 0;
};

// A lock on a file, held until destroyed (or the process ends).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real file system (POSIX). Never deleted.
  static Env* Default();

  // Creates or truncates `path`. The caller syncs the directory afterwards
  // so the new name survives a crash.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file for appending at its end.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& dir) = 0;  // names only
  virtual bool FileExists(const std::string& path) = 0;
  virtual Status CreateDirectory(const std::string& dir) = 0;  // OK if it exists
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (the caller syncs the directory).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Cuts a file to `size` bytes and makes that durable.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // fsync of a directory: makes creations, renames and removals in it durable.
  virtual Status SyncDirectory(const std::string& dir) = 0;
  virtual int64_t NowMicros() = 0;
  // An exclusive lock on `path` (created if missing), so one data directory
  // is never opened twice at once, by two processes or within one.
  // kFailedPrecondition when it is held.
  virtual Result<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) = 0;  // wall clock, microseconds since the epoch
};

}  // namespace quantatom
