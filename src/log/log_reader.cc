#include "log/log_reader.h"

#include <algorithm>
#include <cstring>

#include "log/log_format.h"
#include "log/transaction_codec.h"
#include "util/memory_release.h"

namespace quantatom {
namespace {

namespace lf = log_format;

struct Frame {
  std::string_view payload;
  size_t next;  // offset after the frame
};

// The frame at `offset`, if its length fits and its checksum matches.
std::optional<Frame> FrameAt(std::string_view data, size_t offset) {
  if (data.size() - offset < lf::kRecordHeaderBytes) return std::nullopt;
  uint32_t header[2];
  std::memcpy(header, data.data() + offset, sizeof header);
  size_t start = offset + lf::kRecordHeaderBytes;
  if (header[0] == 0 || header[0] > lf::kRecordBytesMax || header[0] > data.size() - start)
    return std::nullopt;
  if (lf::Checksum(data.data() + start, header[0]) != header[1]) return std::nullopt;
  return Frame{data.substr(start, header[0]), start + header[0]};
}

// Whether any valid record starts after a damaged one at `offset`. Damage with
// valid records after it is corruption, not a torn tail. When the search
// would cost too much the answer is "yes": refusing is safe, dropping is not.
bool AnyFrameAfter(std::string_view data, size_t offset) {
  uint32_t length = 0;
  std::memcpy(&length, data.data() + offset, std::min<size_t>(4, data.size() - offset));
  size_t natural_next = offset + lf::kRecordHeaderBytes + length;
  if (length > 0 && natural_next < data.size() && FrameAt(data, natural_next)) return true;
  constexpr size_t kScanBytesMax = size_t{1} << 26;
  size_t scanned = 0;
  for (size_t o = offset + 1; o + lf::kRecordHeaderBytes <= data.size(); ++o) {
    uint32_t n = 0;
    std::memcpy(&n, data.data() + o, 4);
    if (n == 0 || n > data.size() - o - lf::kRecordHeaderBytes) continue;
    if ((scanned += n) > kScanBytesMax) return true;
    if (FrameAt(data, o)) return true;
  }
  return false;
}

class Replayer {
 public:
  Replayer(Env* env, std::string dir, const ReplayOptions& o, const TransactionVisitor& visit)
      : env_(env), dir_(std::move(dir)), options_(o), visit_(visit) {
    end_.last_sequence = o.after_sequence;
    end_.last_hash = o.after_hash;
  }

  Result<LogEnd> Run() {
    auto names = env_->ListDirectory(dir_);
    if (!names.ok()) return names.status();
    std::vector<std::pair<uint64_t, std::string>> segments;
    for (const std::string& n : *names)
      if (uint64_t first = lf::ParseSegmentName(n)) segments.push_back({first, n});
    std::sort(segments.begin(), segments.end());
    if (options_.require_from_snapshot && !segments.empty() &&
        segments[0].first > options_.after_sequence + 1)
      return Corrupt(segments[0].second, 0,
                     "the log starts at sequence " + std::to_string(segments[0].first) +
                         " but the snapshot ends at " + std::to_string(options_.after_sequence) +
                         ": transactions are missing");
    for (size_t i = 0; i < segments.size(); ++i)
      QA_RETURN_IF_ERROR(Segment(segments[i].second, segments[i].first, i + 1 == segments.size()));
    if (seen_any_ && previous_sequence_ < options_.after_sequence)
      return Corrupt(end_.last_segment, end_.last_segment_bytes,
                     "the log ends at sequence " + std::to_string(previous_sequence_) +
                         " but the snapshot holds up to " +
                         std::to_string(options_.after_sequence));
    return end_;
  }

 private:
  Status Corrupt(const std::string& segment, size_t offset, const std::string& what) {
    return Status(StatusCode::kCorruption,
                  dir_ + "/" + segment + " at byte " + std::to_string(offset) + ": " + what);
  }

  Status Segment(const std::string& name, uint64_t first, bool last) {
    QA_ASSIGN_OR_RETURN(std::string data, env_->ReadFile(dir_ + "/" + name));
    GentleRelease release(data);  // a segment is up to 64 MB
    end_.last_segment = name;
    if (data.size() < lf::kSegmentHeaderBytes ||
        data.compare(0, lf::kSegmentHeaderBytes, lf::SegmentHeader(first)) != 0) {
      if (last && data.size() < lf::kSegmentHeaderBytes &&
          data == lf::SegmentHeader(first).substr(0, data.size()))
        return TornTail(name, data, 0);  // created, header not yet durable
      return Corrupt(name, 0, "bad segment header");
    }
    size_t offset = lf::kSegmentHeaderBytes;
    while (offset < data.size()) {
      auto frame = FrameAt(data, offset);
      if (!frame) {
        if (last && !AnyFrameAfter(data, offset)) return TornTail(name, data, offset);
        return Corrupt(name, offset,
                       "damaged record (checksum or length) with valid records after it");
      }
      QA_RETURN_IF_ERROR(Record(name, offset, frame->payload));
      offset = frame->next;
    }
    end_.last_segment_bytes = offset;
    return Status::Ok();
  }

  Status TornTail(const std::string& name, const std::string& data, size_t offset) {
    // A record the snapshot covers was acknowledged long ago: damage to it is
    // corruption, and cutting it would leave a gap behind the snapshot.
    if ((seen_any_ ? previous_sequence_ : 0) < options_.after_sequence)
      return Corrupt(name, offset,
                     "damaged record before the snapshot's sequence " +
                         std::to_string(options_.after_sequence));
    size_t keep = std::max(offset, lf::kSegmentHeaderBytes);
    end_.warnings.push_back(dir_ + "/" + name + ": torn record at byte " + std::to_string(offset) +
                            " (" + std::to_string(data.size() - offset) +
                            " bytes, never acknowledged) " +
                            (options_.repair_torn_tail ? "cut off" : "found"));
    end_.last_segment_bytes = keep;
    if (!options_.repair_torn_tail) return Status::Ok();
    if (offset < lf::kSegmentHeaderBytes) {
      QA_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(dir_ + "/" + name));
      QA_RETURN_IF_ERROR(file->Append(lf::SegmentHeader(lf::ParseSegmentName(name))));
      QA_RETURN_IF_ERROR(file->Sync());
      return file->Close();
    }
    return env_->TruncateFile(dir_ + "/" + name, keep);
  }

  Status Record(const std::string& name, size_t offset, std::string_view payload) {
    auto head = DecodeTransactionHead(payload);
    if (!head.ok()) return Corrupt(name, offset, head.status().message());
    Hash hash = HashOf(payload);
    uint64_t seq = head->sequence;
    if (seen_any_ && seq != previous_sequence_ + 1)
      return Corrupt(
          name, offset,
          "sequence " + std::to_string(seq) + " follows " + std::to_string(previous_sequence_));
    if (seen_any_ && head->previous_hash != previous_hash_)
      return Corrupt(name, offset,
                     "transaction " + std::to_string(seq) +
                         " does not chain to its predecessor (hash mismatch)");
    if (seq == options_.after_sequence + 1 && head->previous_hash != options_.after_hash)
      return Corrupt(name, offset,
                     "transaction " + std::to_string(seq) + " does not chain to the snapshot");
    if (seq == options_.after_sequence && hash != options_.after_hash)
      return Corrupt(
          name, offset,
          "transaction " + std::to_string(seq) + " differs from the one the snapshot holds");
    seen_any_ = true;
    previous_sequence_ = seq;
    previous_hash_ = hash;
    if (seq <= std::max(options_.after_sequence, options_.skip_through_sequence))
      return Status::Ok();
    auto txn = DecodeTransaction(payload);
    if (!txn.ok()) return Corrupt(name, offset, txn.status().message());
    QA_RETURN_IF_ERROR(visit_(*txn, hash));
    end_.last_sequence = seq;
    end_.last_hash = hash;
    return Status::Ok();
  }

  Env* env_;
  std::string dir_;
  const ReplayOptions& options_;
  const TransactionVisitor& visit_;
  LogEnd end_;
  bool seen_any_ = false;
  uint64_t previous_sequence_ = 0;
  Hash previous_hash_{};
};

}  // namespace

Result<LogEnd> ReplayLog(Env* env, const std::string& log_dir, const ReplayOptions& options,
                         const TransactionVisitor& visit) {
  return Replayer(env, log_dir, options, visit).Run();
}

}  // namespace quantatom
