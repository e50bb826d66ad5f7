// The embedded LogStore: segment files over an Env.
#include <algorithm>

#include "log/log_format.h"
#include "log/log_store.h"
#include "log/log_writer.h"

namespace quantatom {
namespace {

class SegmentLogStore final : public LogStore {
 public:
  SegmentLogStore(Env* env, std::string dir, SegmentLogOptions options)
      : env_(env), dir_(std::move(dir)), options_(options) {}

  Result<LogEnd> Replay(const ReplayOptions& options,
                        const TransactionVisitor& visit) const override {
    return ReplayLog(env_, dir_, options, visit);
  }

  Status StartAppending(const LogEnd& end) override {
    QA_ASSIGN_OR_RETURN(writer_, LogWriter::Open(env_, dir_, end, {options_.segment_bytes_max}));
    return Status::Ok();
  }

  Status Append(const std::vector<std::string>& payloads, uint64_t first_sequence) override {
    if (!writer_) return Status::Precondition("the log was not opened for appending");
    return writer_->Append(payloads, first_sequence);
  }
  bool broken() const override { return writer_ && writer_->broken(); }
  void MarkBroken() override {
    if (writer_) writer_->MarkBroken();
  }

  // Removes the segments whose every transaction is at or below `sequence`;
  // the last segment always stays (appends go there).
  Result<size_t> Truncate(uint64_t sequence) override {
    QA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDirectory(dir_));
    std::vector<std::pair<uint64_t, std::string>> segments;
    for (const std::string& n : names)
      if (uint64_t first = log_format::ParseSegmentName(n)) segments.push_back({first, n});
    std::sort(segments.begin(), segments.end());
    size_t removed = 0;
    for (size_t i = 0; i + 1 < segments.size() && segments[i + 1].first <= sequence + 1;
         ++i, ++removed)
      QA_RETURN_IF_ERROR(env_->RemoveFile(dir_ + "/" + segments[i].second));
    if (removed) QA_RETURN_IF_ERROR(env_->SyncDirectory(dir_));
    return removed;
  }

 private:
  Env* env_;
  std::string dir_;
  SegmentLogOptions options_;
  std::unique_ptr<LogWriter> writer_;
};

}  // namespace

Result<std::unique_ptr<LogStore>> OpenSegmentLogStore(Env* env, const std::string& dir,
                                                      SegmentLogOptions options) {
  QA_RETURN_IF_ERROR(env->CreateDirectory(dir));
  return std::unique_ptr<LogStore>(new SegmentLogStore(env, dir, options));
}

}  // namespace quantatom
