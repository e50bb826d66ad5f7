// Where the log's transactions are kept: the seam between the database and
// its storage. The embedded default keeps segment files in the data
// directory (docs/log-format.md); a PostgreSQL-backed store for shared,
// multi-replica deployments implements the same interface.
//
// Payloads are encoded transactions (log/transaction_codec.h); the store
// frames, checksums and orders them, and checks the hash chain on replay.
//
// Thread safety: Replay may run on any thread, also while the one commit
// thread calls Append; Append, StartAppending, MarkBroken and Truncate need
// external synchronization among themselves.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "log/log_reader.h"
#include "quantatom/env.h"
#include "quantatom/status.h"

namespace quantatom {

class LogStore {
 public:
  virtual ~LogStore() = default;

  // Visits every transaction in sequence order, checking frames, sequence
  // numbers and the hash chain; a torn tail is cut when options allow.
  virtual Result<LogEnd> Replay(const ReplayOptions& options,
                                const TransactionVisitor& visit) const = 0;

  // Readies appends after `end`, what the Replay that recovered the model found.
  virtual Status StartAppending(const LogEnd& end) = 0;
  // Appends transactions first_sequence, first_sequence+1, ... durably.
  //   OK               every one is durable;
  //   kIoError         none is in the log, a retry is safe;
  //   kUnknownOutcome  they may or may not survive; the store is then
  //                    broken and refuses every later append.
  virtual Status Append(const std::vector<std::string>& payloads, uint64_t first_sequence) = 0;
  virtual bool broken() const = 0;
  // Refuses every later append (the caller found the model and log apart).
  virtual void MarkBroken() = 0;

  // Drops stored transactions up to `sequence` (a snapshot holds them), as
  // far as the store's units allow; returns how many units went.
  virtual Result<size_t> Truncate(uint64_t sequence) = 0;
};

struct SegmentLogOptions {
  uint64_t segment_bytes_max = uint64_t{64} << 20;  // then a new segment starts
};

// The embedded store: segment files in `dir` (created if missing) over `env`.
Result<std::unique_ptr<LogStore>> OpenSegmentLogStore(Env* env, const std::string& dir,
                                                      SegmentLogOptions options = {});

}  // namespace quantatom
