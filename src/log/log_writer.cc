#include "log/log_writer.h"

#include "log/log_format.h"

namespace quantatom {

namespace lf = log_format;

Result<std::unique_ptr<LogWriter>> LogWriter::Open(Env* env, std::string dir, const LogEnd& end,
                                                   LogWriterOptions options) {
  QA_RETURN_IF_ERROR(env->CreateDirectory(dir));
  std::unique_ptr<LogWriter> w(new LogWriter(env, std::move(dir), options));
  if (!end.last_segment.empty()) {
    w->path_ = w->dir_ + "/" + end.last_segment;
    QA_ASSIGN_OR_RETURN(w->file_, env->NewAppendableFile(w->path_));
    if (w->file_->Size() != end.last_segment_bytes)
      return Status::Corruption(w->path_ + ": has " + std::to_string(w->file_->Size()) +
                                " bytes, the log ends at " +
                                std::to_string(end.last_segment_bytes));
  }
  return w;
}

Status LogWriter::Fail(Status s) {
  broken_ = true;
  return Status::Unknown(s.message() +
                         "; the log refuses writes until the data directory is reopened");
}

// A new segment is durable (file and directory entry) before records go in.
Status LogWriter::StartSegment(uint64_t first_sequence) {
  if (file_) {
    Status closed = file_->Close();
    if (!closed.ok()) return Fail(closed);
  }
  path_ = dir_ + "/" + lf::SegmentName(first_sequence);
  QA_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(path_));
  Status s = file_->Append(lf::SegmentHeader(first_sequence));
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = env_->SyncDirectory(dir_);
  if (!s.ok()) {
    // No record went in, so the write failed cleanly; but a failed fsync is
    // never retried (not even on a fresh file): the disk said it lost data.
    file_.reset();
    (void)env_->RemoveFile(path_);  // holds no record, so nothing is lost either way
    broken_ = true;
    return Status::Io(s.message() +
                      "; nothing was logged, and the log refuses writes until reopened");
  }
  return Status::Ok();
}

// Small records are gathered into one write; a large one (a load) goes
// straight from its payload, not copied.
Status LogWriter::WriteRecords(const std::vector<std::string>& payloads) {
  constexpr size_t kCopyBytesMax = 1 << 20;
  std::string buffer;
  for (const std::string& p : payloads) {
    lf::AppendRecordHeader(buffer, p);
    if (p.size() <= kCopyBytesMax) {
      buffer += p;
      continue;
    }
    QA_RETURN_IF_ERROR(file_->Append(buffer));
    buffer.clear();
    QA_RETURN_IF_ERROR(file_->Append(p));
  }
  return buffer.empty() ? Status::Ok() : file_->Append(buffer);
}

Status LogWriter::Append(const std::vector<std::string>& payloads, uint64_t first_sequence) {
  if (broken_)
    return Status::Unknown(
        "the log failed earlier and refuses writes until the data directory is reopened");
  for (const std::string& p : payloads)
    if (p.size() > lf::kRecordBytesMax)
      return Status::Limit("a transaction of " + std::to_string(p.size()) +
                           " bytes exceeds the log's record limit");
  if (!file_ || file_->Size() >= options_.segment_bytes_max)
    QA_RETURN_IF_ERROR(StartSegment(first_sequence));
  const uint64_t size_before = file_->Size();
  Status appended = WriteRecords(payloads);
  if (!appended.ok()) {
    // Roll back whatever part reached the file, durably, so none of it can
    // come back after a crash.
    Status rolled_back = env_->TruncateFile(path_, size_before);
    if (!rolled_back.ok()) return Fail(appended);
    file_.reset();
    auto reopened = env_->NewAppendableFile(path_);
    if (!reopened.ok()) return Fail(reopened.status());
    file_ = std::move(*reopened);
    return Status::Io(appended.message() + "; nothing was written to the log");
  }
  Status synced = file_->Sync();
  if (!synced.ok()) {
    // The page cache may hold bytes the disk does not; cut them durably so
    // a reopen without a crash cannot build on them. The outcome stays
    // unknown: the fsync may have reached the disk before it failed.
    (void)env_->TruncateFile(path_, size_before);
    return Fail(synced);
  }
  bytes_written_ += file_->Size() - size_before;
  return Status::Ok();
}

}  // namespace quantatom
