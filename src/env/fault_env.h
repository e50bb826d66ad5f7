// FaultEnv: an in-memory file system for tests that models durability
// precisely, injects I/O faults and simulates power loss. See
// docs/design/env.md for the model and why it looks like this.
//
// The model, in short:
// - A file has a current content (what reads see: the page cache) and a
//   durable content (what survives power loss). WritableFile::Sync makes the
//   current content durable. TruncateFile is durable at once (it fsyncs, like
//   the POSIX env); so is the truncation NewWritableFile does to an existing
//   file.
// - A directory has a current set of names and a durable one. Creating a
//   file or directory, renaming and removing change the current set only;
//   SyncDirectory(dir) makes dir's current set durable. A rename between two
//   directories needs both synced.
// - Crash() is power loss: every file and directory falls back to its
//   durable state, open WritableFiles become invalid, then the env works
//   again as the rebooted machine.
//
// Paths: components split on '/', empty and "." components ignored, ".."
// refused; "/db/LOG" and "db/LOG" name the same file. The root always
// exists. CreateDirectory needs the parent to exist (like mkdir). RenameFile
// renames files only. A WritableFile keeps writing to its file after the
// name is removed or renamed, as with a POSIX descriptor.
//
// Error statuses: kNotFound for a missing path, kIoError otherwise; a failed
// Sync poisons its WritableFile exactly as in the POSIX env.
//
// Thread-safe: one mutex guards the whole file system, WritableFiles
// included. The env must outlive the WritableFiles it hands out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "quantatom/env.h"

namespace quantatom {

class FaultEnv final : public Env {
 public:
  // The operations that change the file system. Each call of one counts as
  // one operation (see operations()), whether it succeeds or not.
  enum class Operation {
    kNewWritableFile,
    kAppend,
    kSync,
    kCreateDirectory,
    kRemoveFile,
    kRenameFile,
    kTruncateFile,
    kSyncDirectory,
  };

  enum class FaultKind {
    // EIO. The call has no effect, except on kSync and kSyncDirectory: there
    // it is a failed fsync, see InjectFault.
    kIoError,
    // ENOSPC ("no space left on device"). The call has no effect (kSync and
    // kSyncDirectory: as kIoError).
    kNoSpace,
    // kAppend only: a random strict prefix of the data (possibly empty)
    // reaches the file, then the call reports ENOSPC.
    kPartialAppend,
  };

  // `seed` drives the injected faults' coin flips and partial lengths.
  explicit FaultEnv(uint64_t seed = 0);
  ~FaultEnv() override;

  // Makes the nth next call of `op` (1 = the very next one) fail once with
  // `kind`, replacing an earlier injection for the same operation.
  //
  // A failed Sync follows Linux after a writeback error (PostgreSQL's
  // fsyncgate): a seeded coin decides whether the unsynced data became
  // durable anyway. If not, those bytes are lost for good: reads still see
  // them, but the disk holds zeros there, even after a later successful Sync
  // from another WritableFile; only a TruncateFile below them removes them.
  // A failed SyncDirectory makes the directory's names durable or not, by
  // the same coin.
  // REQUIRES: kind == kPartialAppend only with op == kAppend; nth >= 1.
  void InjectFault(Operation op, uint64_t nth, FaultKind kind);

  // Calls of the Operations made while the power was on, over the env's
  // whole life (Crash does not reset it). Run a workload once to learn its
  // count, then pick a crash point in [0, count] for PowerOffAfter.
  uint64_t operations() const;

  // The next `n` Operations run normally; from the (n+1)-th on, every call
  // of every kind (reads included; FileExists answers false) fails with
  // kIoError "power is off" and has no effect, until Crash().
  void PowerOffAfter(uint64_t n);
  bool powered_off() const;

  // Power loss, then reboot. Files fall back to their durable content,
  // directories to their durable names. Open WritableFiles fail from now
  // on. Pending InjectFault and PowerOffAfter settings are cleared.
  // With `tear_unsynced_writes`, each file keeps a random prefix (of any
  // length, seeded by `seed`) of its unsynced bytes, and with probability
  // 1/2 the end of that kept prefix is overwritten with zeros or random
  // bytes (an unfinished sector write). Synced bytes are never damaged.
  void Crash(uint64_t seed, bool tear_unsynced_writes);

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& dir) override;
  bool FileExists(const std::string& path) override;
  Status CreateDirectory(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDirectory(const std::string& dir) override;
  int64_t NowMicros() override;  // the real wall clock
  // Locks live in memory and need no file; Crash() releases them all (the
  // process that held them is gone).
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  struct File;
  struct Dir;
  class Handle;
  struct Entry {
    std::shared_ptr<File> file;  // exactly one of file and dir is set
    std::shared_ptr<Dir> dir;
  };
  struct Fault {
    uint64_t countdown;
    FaultKind kind;
  };

  // The directory holding path's last component, and that component.
  // `call` names the system call the errors mention.
  Result<std::pair<std::shared_ptr<Dir>, std::string>> ResolveParent(const char* call,
                                                                     const std::string& path);
  Result<std::shared_ptr<Dir>> ResolveDir(const char* call, const std::string& path);
  Result<std::shared_ptr<File>> ResolveFile(const char* call, const std::string& path);
  // Counts an Operation; fails when the power is off or goes off now.
  Status BeginOperation(const char* call, const std::string& path);
  std::optional<FaultKind> TakeFault(Operation op);
  Status CheckPower(const char* call, const std::string& path) const;
  bool CoinFlip();

  // Handle's calls, under mu_.
  Status Append(Handle& handle, std::string_view data);
  Status Sync(Handle& handle);
  Status Close(Handle& handle);
  uint64_t Size(const Handle& handle) const;

  mutable std::mutex mu_;
  std::map<std::string, uint64_t> locks_;  // path -> epoch it was taken in
  std::shared_ptr<Dir> root_;
  std::mt19937_64 rng_;
  uint64_t operations_ = 0;
  uint64_t epoch_ = 0;  // bumped by Crash; handles of older epochs are invalid
  std::optional<uint64_t> operations_until_power_off_;
  bool powered_off_ = false;
  std::map<Operation, Fault> faults_;
};

}  // namespace quantatom
