// Reads the log back: frames, checksums, sequence order and the hash chain.
//
// A damaged record at the very end of the last segment, with nothing valid
// after it, is what a crash in the middle of an append leaves: a torn tail.
// It is cut off (with repair) and reported as a warning. Any other damage
// refuses the whole log with the segment, byte offset and sequence, so no
// acknowledged transaction is ever dropped silently.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/env.h"
#include "quantatom/status.h"
#include "quantatom/transaction.h"

namespace quantatom {

struct LogEnd {
  uint64_t last_sequence = 0;  // 0: empty log
  Hash last_hash{};
  std::string last_segment;         // file name, "" when there is none
  uint64_t last_segment_bytes = 0;  // valid bytes in it
  std::vector<std::string> warnings;
};

struct ReplayOptions {
  // Transactions up to here are in the snapshot: they are checked, not replayed.
  uint64_t after_sequence = 0;
  Hash after_hash{};
  bool repair_torn_tail = true;  // false: only report it (verify)
  // False for readers of history (change feed, audit): a log whose older
  // segments were truncated behind a snapshot is read from where it starts.
  bool require_from_snapshot = true;
  // Transactions up to here are checked (frame, order, hash chain) but
  // neither decoded nor visited: readers of the change feed skip what they
  // have seen. Those up to after_sequence are skipped so too.
  uint64_t skip_through_sequence = 0;
};

// `hash` is the transaction's own hash (what the next one chains to).
using TransactionVisitor = std::function<Status(const Transaction& txn, const Hash& hash)>;

Result<LogEnd> ReplayLog(Env* env, const std::string& log_dir, const ReplayOptions& options,
                         const TransactionVisitor& visit);

}  // namespace quantatom
