#include "log/delta_columns.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "log/value_column.h"

namespace quantatom {
namespace {

constexpr uint8_t kBlockRaw = 0, kBlockZstd = 1;
// Smaller blocks stay raw: compressing them costs latency and saves little.
constexpr size_t kCompressBytesMin = 64 << 10;
// Raw columns of one transaction at most (a bound for damaged headers).
constexpr uint64_t kRawBytesMax = uint64_t{4} << 30;
constexpr size_t kChunkAtoms = 1 << 20;  // columns move in chunks of this many values

int WidthFor(MemberId max) { return max < (1u << 8) ? 1 : max < (1u << 16) ? 2 : 4; }

// A varint of exactly kPaddedVarintBytes bytes (continuation bits on all
// but the last), which any varint reader reads as `v`. 42 bits hold more
// than kRawBytesMax.
constexpr size_t kPaddedVarintBytes = 6;
void PutPaddedVarint(char* out, uint64_t v) {
  for (size_t i = 0; i < kPaddedVarintBytes; ++i, v >>= 7)
    out[i] = static_cast<char>((v & 0x7f) | (i + 1 < kPaddedVarintBytes ? 0x80 : 0));
}

// Where the encoded columns go: straight into the payload, or through a zstd
// stream, so a load's raw columns (hundreds of MB) never exist whole.
class Sink {
 public:
  Sink(std::string& out, ZSTD_CCtx* zstd) : out_(out), zstd_(zstd) {}
  void Put(const void* data, size_t n) {
    if (!zstd_) return out_.append(static_cast<const char*>(data), n), void();
    ZSTD_inBuffer in{data, n, 0};
    while (ok_ && in.pos < in.size) Pump(in, ZSTD_e_continue);
  }
  bool Finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (zstd_ && ok_ && !Pump(in, ZSTD_e_end)) {
    }
    return ok_;
  }

 private:
  // Returns true when zstd has flushed everything it holds.
  bool Pump(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    const size_t at = out_.size(), room = ZSTD_CStreamOutSize();
    out_.resize(at + room);
    ZSTD_outBuffer o{out_.data() + at, room, 0};
    size_t left = ZSTD_compressStream2(zstd_, &o, &in, mode);
    out_.resize(at + o.pos);
    if (ZSTD_isError(left)) ok_ = false;
    return left == 0;
  }
  std::string& out_;
  ZSTD_CCtx* zstd_;
  bool ok_ = true;
};

template <int kWidth>
void PutMemberColumn(const MemberId* members, size_t n, Sink& sink) {
  static thread_local std::vector<char> buffer(kChunkAtoms * 4);
  char* column = buffer.data();
  for (size_t i = 0; i < n; ++i) {
    MemberId m = members[i];
    std::memcpy(column + i * kWidth, &m, kWidth);  // little-endian: the low bytes
  }
  sink.Put(column, n * kWidth);
}

// Writes one chunk of deltas; returns its raw bytes.
uint64_t PutChunk(const DeltaSource::Chunk& c, size_t dims, Sink& sink) {
  const size_t n = c.size;
  uint64_t bytes = n;
  for (size_t k = 0; k < dims; ++k) {
    const MemberId* column = c.members.data() + k * n;
    const MemberId max = n == 0 ? 0 : *std::max_element(column, column + n);
    const char width = static_cast<char>(WidthFor(max));
    sink.Put(&width, 1);
    if (width == 1) PutMemberColumn<1>(column, n, sink);
    if (width == 2) PutMemberColumn<2>(column, n, sink);
    if (width == 4) PutMemberColumn<4>(column, n, sink);
    bytes += 1 + n * width;
  }
  sink.Put(c.flags.data(), n);
  static thread_local std::vector<double> gathered;
  static thread_local std::string column;
  for (int v = 0; v < 2; ++v) {
    const uint8_t has = v == 0 ? AtomDeltas::kHasOld : AtomDeltas::kHasNew;
    const std::vector<double>& values = v == 0 ? c.old_values : c.new_values;
    gathered.clear();
    for (size_t i = 0; i < n; ++i)
      if (c.flags[i] & has) gathered.push_back(values[i]);
    if (gathered.empty()) continue;  // no column at all
    column.clear();
    EncodeValueColumn(gathered, column);
    sink.Put(column.data(), column.size());
    bytes += column.size();
  }
  return bytes;
}

// The columns come in chunks of kChunkAtoms deltas, so encoding and decoding
// work on a piece of the deltas at a time. Returns the raw bytes written.
uint64_t PutColumns(const DeltaSource& source, Sink& sink) {
  uint64_t bytes = 0;
  DeltaSource::Chunk chunk;
  for (size_t begin = 0; begin < source.size(); begin += kChunkAtoms) {
    source.Fill(begin, std::min(source.size(), begin + kChunkAtoms), chunk);
    bytes += PutChunk(chunk, source.dims(), sink);
  }
  return bytes;
}

// Reads the columns back from the payload, or from a zstd stream of them.
class Source {
 public:
  Source(std::string_view data, bool zstd) : data_(data) {
    if (zstd) zstd_.reset(ZSTD_createDCtx());
  }
  bool Read(void* out, size_t n) {
    if (!zstd_) {
      if (n > data_.size() - pos_) return false;
      std::memcpy(out, data_.data() + pos_, n);
      pos_ += n;
      return true;
    }
    ZSTD_outBuffer o{out, n, 0};
    while (o.pos < n) {
      if (finished_) return false;  // the frame holds less than was asked for
      ZSTD_inBuffer in{data_.data(), data_.size(), pos_};
      size_t r = ZSTD_decompressStream(zstd_.get(), &o, &in);
      const bool progressed = in.pos != pos_ || o.pos > 0;
      pos_ = in.pos;
      if (ZSTD_isError(r)) return false;
      finished_ = r == 0;
      if (o.pos < n && !progressed) return false;  // the input ends early
    }
    return true;
  }
  // True when every byte was read: no trailing data, a complete frame.
  bool AtEnd() {
    if (!zstd_) return pos_ == data_.size();
    if (!finished_) {  // the frame's end may not have been read yet
      char extra;
      ZSTD_outBuffer o{&extra, 1, 0};
      ZSTD_inBuffer in{data_.data(), data_.size(), pos_};
      size_t r = ZSTD_decompressStream(zstd_.get(), &o, &in);
      pos_ = in.pos;
      if (ZSTD_isError(r) || o.pos != 0) return false;
      finished_ = r == 0;
    }
    return finished_ && pos_ == data_.size();
  }

 private:
  struct FreeDCtx {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
  };
  std::string_view data_;
  size_t pos_ = 0;
  std::unique_ptr<ZSTD_DCtx, FreeDCtx> zstd_;
  bool finished_ = false;  // zstd: the frame has ended
};

// The present values of one kind into `values` (0 elsewhere). Format 2
// stores them as plain f64, format 3 as a value column.
Status ReadValues(Source& source, std::span<const uint8_t> flags, uint8_t has, double* values,
                  int format_version) {
  const Status truncated = Status::Corruption("delta columns are truncated");
  const size_t present =
      std::count_if(flags.begin(), flags.end(), [&](uint8_t f) { return (f & has) != 0; });
  static thread_local std::vector<double> gathered;
  gathered.resize(present);
  double* into = present == flags.size() ? values : gathered.data();
  if (format_version < 3) {
    if (!source.Read(into, present * sizeof(double))) return truncated;
  } else {
    std::string error;
    auto read = [&](void* out, size_t n) { return source.Read(out, n); };
    if (!DecodeValueColumn(read, present, into, error)) return Status::Corruption(error);
  }
  if (into == values) return Status::Ok();
  for (size_t i = 0, j = 0; i < flags.size(); ++i)
    if (flags[i] & has) values[i] = gathered[j++];
  return Status::Ok();
}

template <int kWidth>
void GetMemberColumn(const char* column, size_t n, size_t dims, MemberId* out) {
  for (size_t i = 0; i < n; ++i, out += dims, column += kWidth) {
    MemberId m = 0;
    std::memcpy(&m, column, kWidth);
    *out = m;
  }
}

struct Columns {
  std::vector<MemberId> members;
  std::vector<uint8_t> flags;
  std::vector<double> old_values, new_values;  // empty until a value comes
  size_t expected = 0;                         // deltas to reserve room for
};

// Reads the chunk of deltas [begin, end) into `c`.
Status ReadChunk(Source& source, size_t dims, size_t begin, size_t end, int format_version,
                 Columns& c) {
  const Status truncated = Status::Corruption("delta columns are truncated");
  const size_t n = end - begin;
  static thread_local std::vector<char> buffer(kChunkAtoms * 4);
  char* column = buffer.data();
  // The columns grow with the data actually read, so a damaged count cannot
  // allocate more than the block holds.
  c.members.resize(end * dims);
  c.flags.resize(end);
  for (size_t k = 0; k < dims; ++k) {
    uint8_t width = 0;
    if (!source.Read(&width, 1)) return truncated;
    if (width != 1 && width != 2 && width != 4)
      return Status::Corruption("member column of width " + std::to_string(width));
    if (!source.Read(column, n * width)) return truncated;
    MemberId* out = c.members.data() + begin * dims + k;
    if (width == 1) GetMemberColumn<1>(column, n, dims, out);
    if (width == 2) GetMemberColumn<2>(column, n, dims, out);
    if (width == 4) GetMemberColumn<4>(column, n, dims, out);
  }
  std::span<uint8_t> flags(c.flags.data() + begin, n);
  if (!source.Read(flags.data(), n)) return truncated;
  bool has[2] = {false, false};
  for (uint8_t f : flags) {
    if (f > 3) return Status::Corruption("a delta has unknown flags");
    has[0] |= (f & AtomDeltas::kHasOld) != 0;
    has[1] |= (f & AtomDeltas::kHasNew) != 0;
  }
  for (int v = 0; v < 2; ++v) {
    if (!has[v]) continue;
    auto& values = v == 0 ? c.old_values : c.new_values;
    if (values.capacity() < c.expected) values.reserve(c.expected);
    values.resize(end, 0);
    QA_RETURN_IF_ERROR(ReadValues(source, flags, v == 0 ? AtomDeltas::kHasOld : AtomDeltas::kHasNew,
                                  values.data() + begin, format_version));
  }
  return Status::Ok();
}

uint64_t ReadVarint(std::string_view& data, bool& ok) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && !data.empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(data[0]);
    data.remove_prefix(1);
    v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return v;
  }
  ok = false;
  return 0;
}

// A transaction a planner waits for (a spread of 125,000 leaves: 2 MB)
// compresses in about half the time at level -1, for 7% more bytes: its
// scaled values hardly compress anyway. A load's or a snapshot's decimal
// columns would take 60% more bytes: those stay at level 1.
constexpr size_t kFastLevelRawBytesMax = size_t{16} << 20;
int CompressionLevel(const DeltaSource& source) {
  return source.size() * (source.dims() + 9) < kFastLevelRawBytesMax ? -1 : 1;
}

// One compression context per thread that encodes (the commit thread, a
// snapshot's): its worker threads and buffers are made once, not per block.
ZSTD_CCtx* CompressionContext() {
  struct Context {
    Context() : ctx(ZSTD_createCCtx()) {
      ZSTD_CCtx_setParameter(ctx, ZSTD_c_nbWorkers, 2);  // ignored where zstd lacks threads
    }
    ~Context() { ZSTD_freeCCtx(ctx); }
    ZSTD_CCtx* ctx;
  };
  static thread_local Context context;
  return context.ctx;
}

}  // namespace

void EncodeDeltaBlock(const DeltaSource& source, std::string& out) {
  // About a byte per member and a value per delta: worth compressing?
  if (source.size() * (source.dims() + 9) >= kCompressBytesMin) {
    const size_t start = out.size();
    out.push_back(static_cast<char>(kBlockZstd));
    // The raw size is known only at the end: it goes into a varint padded
    // to a fixed width, written over this placeholder.
    const size_t size_at = out.size();
    out.append(kPaddedVarintBytes, '\0');
    out.reserve(out.size() + source.size() * (source.dims() + 9) / 2);
    ZSTD_CCtx* zstd = CompressionContext();
    ZSTD_CCtx_setParameter(zstd, ZSTD_c_compressionLevel, CompressionLevel(source));
    Sink sink(out, zstd);
    const uint64_t raw_bytes = PutColumns(source, sink);
    const bool compressed = sink.Finish();
    ZSTD_CCtx_reset(zstd, ZSTD_reset_session_only);  // ready for the next block
    if (compressed) return PutPaddedVarint(out.data() + size_at, raw_bytes);
    out.resize(start);  // zstd failed (out of memory): the block goes raw
  }
  out.push_back(static_cast<char>(kBlockRaw));
  Sink sink(out, nullptr);
  PutColumns(source, sink);
}

void EncodeDeltaBlock(const AtomDeltas& deltas, std::string& out) {
  EncodeDeltaBlock(AtomDeltasSource(deltas), out);
}

Result<AtomDeltas> DecodeDeltaBlock(std::string_view data, size_t dims, size_t count,
                                    int format_version) {
  if (data.empty()) return Status::Corruption("the delta block is missing");
  const uint8_t block = static_cast<uint8_t>(data[0]);
  data.remove_prefix(1);
  if (block != kBlockRaw && block != kBlockZstd)
    return Status::Corruption("delta block of unknown kind " + std::to_string(block));
  uint64_t raw_bytes = data.size();
  bool ok = true;
  if (block == kBlockZstd) raw_bytes = ReadVarint(data, ok);
  // Every delta has a flags byte and, unless the cube has no dimension, members.
  if (!ok || raw_bytes > kRawBytesMax || count > raw_bytes ||
      (dims > 0 && count * dims > raw_bytes))
    return Status::Corruption("the delta block's size does not fit its " + std::to_string(count) +
                              " deltas");
  Source source(data, block == kBlockZstd);
  Columns c;
  // Room for all, unless the count claims more than a block this size can
  // plausibly inflate to (column data compresses a few times, not 64).
  const uint64_t plausible = uint64_t{64} * data.size();
  c.expected = std::min<uint64_t>(count, plausible);
  c.members.reserve(std::min<uint64_t>(count * dims, plausible));
  c.flags.reserve(c.expected);
  for (size_t begin = 0; begin < count; begin += kChunkAtoms)
    QA_RETURN_IF_ERROR(
        ReadChunk(source, dims, begin, std::min(count, begin + kChunkAtoms), format_version, c));
  if (!source.AtEnd()) return Status::Corruption("the delta block has trailing bytes");
  return AtomDeltas::FromColumns(dims, std::move(c.members), std::move(c.flags),
                                 std::move(c.old_values), std::move(c.new_values));
}

}  // namespace quantatom
