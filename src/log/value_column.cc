#include "log/value_column.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace quantatom {
namespace {

// Layout (docs/log-format.md): u8 encoding; 0: n f64. 1: u8 scale s, u8
// width w, n zigzag integers of w bytes (value = integer / 10^s; 0 where an
// exception goes), varint exception count, then per exception the varint
// gap to its position (from the previous exception's, or from 0) and its f64.
constexpr uint8_t kDoubles = 0, kDecimals = 1;
constexpr int kScaleMax = 6;
constexpr double kPow10[kScaleMax + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
constexpr double kExactMax = 9007199254740992.0;  // 2^53: integers beyond are not all doubles
constexpr size_t kDecimalsMin = 16;               // fewer values: not worth a header
constexpr size_t kSample = 1024;                  // values that choose the scale

// `v` as an integer at scale s, if dividing it back gives `v` bit for bit.
bool AsDecimal(double v, int s, int64_t& out) {
  const double x = v * kPow10[s];
  if (!(std::fabs(x) < kExactMax)) return false;  // NaN too
  const int64_t i = std::llround(x);
  const double back = static_cast<double>(i) / kPow10[s];
  if (std::memcmp(&back, &v, sizeof v) != 0) return false;  // -0.0 stays an exception
  out = i;
  return true;
}

// The smallest scale at which most of the first values are decimals, or -1.
int ChooseScale(std::span<const double> values) {
  const size_t n = std::min(values.size(), kSample);
  int scale = 0;
  size_t misses = 0;
  int64_t ignored;
  for (size_t i = 0; i < n; ++i) {
    int s = scale;
    while (s <= kScaleMax && !AsDecimal(values[i], s, ignored)) ++s;
    if (s > kScaleMax)
      ++misses;
    else
      scale = s;
  }
  return misses * 16 > n ? -1 : scale;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutVarint(std::string& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>(v | 0x80));
  out.push_back(static_cast<char>(v));
}

bool ReadVarint(const ReadBytes& read, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b;
    if (!read(&b, 1)) return false;
    v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

void PutDoubles(std::span<const double> values, std::string& out) {
  out.push_back(static_cast<char>(kDoubles));
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

}  // namespace

void EncodeValueColumn(std::span<const double> values, std::string& out) {
  const int scale = values.size() < kDecimalsMin ? -1 : ChooseScale(values);
  if (scale < 0) return PutDoubles(values, out);
  static thread_local std::vector<uint64_t> ints;
  ints.resize(values.size());
  std::vector<size_t> exceptions;
  uint64_t max = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t v = 0;
    if (!AsDecimal(values[i], scale, v)) exceptions.push_back(i);
    ints[i] = ZigZag(v);
    max = std::max(max, ints[i]);
  }
  if (exceptions.size() * 8 > values.size()) return PutDoubles(values, out);
  const int width = max < (1u << 8) ? 1 : max < (1u << 16) ? 2 : max < (uint64_t{1} << 32) ? 4 : 8;
  out.push_back(static_cast<char>(kDecimals));
  out.push_back(static_cast<char>(scale));
  out.push_back(static_cast<char>(width));
  const size_t at = out.size();
  out.resize(at + values.size() * width);
  char* p = out.data() + at;
  for (size_t i = 0; i < values.size(); ++i, p += width)
    std::memcpy(p, &ints[i], width);  // little-endian: the low bytes
  PutVarint(out, exceptions.size());
  size_t previous = 0;
  for (size_t i : exceptions) {
    PutVarint(out, i - previous);
    previous = i;
    out.append(reinterpret_cast<const char*>(&values[i]), sizeof(double));
  }
}

bool DecodeValueColumn(const ReadBytes& read, size_t n, double* out, std::string& error) {
  error = "value column is truncated";
  uint8_t encoding;
  if (!read(&encoding, 1)) return false;
  if (encoding == kDoubles) return read(out, n * sizeof(double));
  uint8_t head[2];  // scale, width
  if (encoding != kDecimals) return error = "value column of unknown encoding", false;
  if (!read(head, 2)) return false;
  const int scale = head[0], width = head[1];
  if (scale > kScaleMax || (width != 1 && width != 2 && width != 4 && width != 8))
    return error = "value column of bad scale or width", false;
  static thread_local std::vector<char> bytes;
  bytes.resize(n * width);
  if (!read(bytes.data(), bytes.size())) return false;
  for (size_t i = 0; i < n; ++i) {
    uint64_t z = 0;
    std::memcpy(&z, bytes.data() + i * width, width);
    out[i] = static_cast<double>(UnZigZag(z)) / kPow10[scale];
  }
  uint64_t count = 0, position = 0;
  if (!ReadVarint(read, count)) return false;
  if (count > n) return error = "value column has more exceptions than values", false;
  for (uint64_t e = 0; e < count; ++e) {
    uint64_t gap = 0;
    if (!ReadVarint(read, gap)) return false;
    if (gap > n || (e > 0 && gap == 0) || (position += gap) >= n)
      return error = "value column exception out of place", false;
    if (!read(&out[position], sizeof(double))) return false;
  }
  return true;
}

}  // namespace quantatom
