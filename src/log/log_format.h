// The on-disk layout of the log (docs/log-format.md).
//
// log/<first sequence, 20 digits>.log segments, each a 16-byte header
// (magic "QALOG" 0 0 1, first sequence u64) and then records:
//   length u32 | crc32 u32 of the payload | payload (an encoded transaction)
// little-endian.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quantatom::log_format {

inline constexpr char kMagic[8] = {'Q', 'A', 'L', 'O', 'G', 0, 0, 1};
inline constexpr size_t kSegmentHeaderBytes = 16;
inline constexpr size_t kRecordHeaderBytes = 8;
// A record larger than this is refused on write and taken as damage on read.
inline constexpr uint32_t kRecordBytesMax = 1u << 30;

uint32_t Checksum(const char* data, size_t n);
// Files named by a sequence number: 20 digits and an extension (".log").
std::string SequenceFileName(uint64_t sequence, std::string_view extension);
// The sequence of such a name, or 0 when it is not one.
uint64_t ParseSequenceFileName(const std::string& name, std::string_view extension);
inline std::string SegmentName(uint64_t first_sequence) {
  return SequenceFileName(first_sequence, ".log");
}
inline uint64_t ParseSegmentName(const std::string& name) {
  return ParseSequenceFileName(name, ".log");
}
std::string SegmentHeader(uint64_t first_sequence);
// Appends a framed record.
void AppendRecord(std::string& out, const std::string& payload);
// Appends only the frame header (length and checksum) of `payload`.
void AppendRecordHeader(std::string& out, std::string_view payload);

}  // namespace quantatom::log_format
