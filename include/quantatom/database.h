// A model kept in a data directory: every change is a transaction appended
// to the log (AODL) and made durable before it is acknowledged and before
// readers can see it. Opening the directory replays the log.
//
// Thread safety: every method may be called from any thread. Commits from
// concurrent callers share fsyncs (group commit).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/env.h"
#include "quantatom/load.h"
#include "quantatom/model.h"
#include "quantatom/status.h"
#include "quantatom/transaction.h"

namespace quantatom {

struct DatabaseOptions {
  Env* env = nullptr;  // nullptr: the real file system
  bool create_if_missing = true;
  size_t group_commit_max = 1024;  // transactions sharing one fsync at most
  uint64_t segment_bytes_max = uint64_t{64} << 20;
};

// Who commits, and an optional id that makes retries safe.
struct CommitContext {
  std::string user;
  std::string client_txn_id;  // a commit with an id seen before is not applied again
};

struct CommitResult {
  uint64_t sequence = 0;  // the transaction's sequence number
  size_t atoms_changed = 0;
  bool replayed = false;  // true: the id was committed before; this is its original result
};

// Commit errors: the usual codes when the request was refused before
// anything was logged (bad input, unknown member); kIoError when the log
// append failed and nothing was logged; kUnknownOutcome when the change may
// or may not be durable (the database then refuses writes until reopened).
class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& dir,
                                                DatabaseOptions options = {});
  ~Database();

  // Replay warnings (e.g. a torn tail that was cut off).
  const std::vector<std::string>& open_warnings() const;
  uint64_t last_sequence() const;

  std::shared_ptr<Cube> FindCube(std::string_view name) const;
  std::shared_ptr<const Dimension> FindDimension(std::string_view name) const;
  std::vector<std::string> CubeNames() const;

  // `csv` in the dimension format of docs/formats.md.
  Result<CommitResult> CreateDimension(const std::string& name, const std::string& csv,
                                       const CommitContext& ctx);
  Result<CommitResult> CreateCube(const std::string& name,
                                  const std::vector<std::string>& dimensions,
                                  const CommitContext& ctx);
  Result<CommitResult> Write(const std::string& cube, const WriteBatch& batch,
                             const CommitContext& ctx);
  // A fact file (docs/formats.md) into an existing cube, as one transaction.
  Result<CommitResult> LoadFacts(const std::string& cube, const std::string& path,
                                 const CommitContext& ctx, LoadReport* report = nullptr);
  // A whole model directory: its dimensions, cubes and facts, each logged.
  Status ImportModelDirectory(const std::string& dir, const CommitContext& ctx);

  // Transactions after `sequence`, oldest first, at most `max` of them.
  Result<std::vector<Transaction>> ChangesSince(uint64_t sequence, size_t max) const;

  struct Impl;

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantatom
