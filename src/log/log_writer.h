// Appends transactions to the log and makes them durable.
//
// Outcomes of Append, which callers pass on to clients unchanged:
//   OK                 every record is durable;
//   kIoError           none of them is in the log (the append failed and was
//                      rolled back), the caller may retry;
//   kUnknownOutcome    they may or may not survive a crash (a failed fsync,
//                      or a failed roll-back). The writer is then broken and
//                      refuses every later append: after a failed fsync Linux
//                      may report the page clean, so retrying could lie.
// REQUIRES: external synchronization (one commit thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "log/log_reader.h"
#include "quantatom/env.h"
#include "quantatom/status.h"

namespace quantatom {

struct LogWriterOptions {
  uint64_t segment_bytes_max = uint64_t{64} << 20;  // then a new segment starts
};

class LogWriter {
 public:
  // Continues the log where `end` (from ReplayLog) says it ends.
  static Result<std::unique_ptr<LogWriter>> Open(Env* env, std::string dir, const LogEnd& end,
                                                 LogWriterOptions options = {});

  // Encoded transactions, sequences first_sequence, first_sequence+1, ...
  Status Append(const std::vector<std::string>& payloads, uint64_t first_sequence);
  bool broken() const { return broken_; }
  // Refuses every later append (the caller found the model and log apart).
  void MarkBroken() { broken_ = true; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  LogWriter(Env* env, std::string dir, LogWriterOptions options)
      : env_(env), dir_(std::move(dir)), options_(options) {}
  Status StartSegment(uint64_t first_sequence);
  Status WriteRecords(const std::vector<std::string>& payloads);
  Status Fail(Status s);

  Env* env_;
  std::string dir_;
  LogWriterOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::string path_;
  bool broken_ = false;
  uint64_t bytes_written_ = 0;
};

}  // namespace quantatom
