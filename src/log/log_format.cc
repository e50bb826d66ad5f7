#include "log/log_format.h"

#include <zlib.h>

#include <cstring>

namespace quantatom::log_format {

uint32_t Checksum(const char* data, size_t n) {
  uLong crc = crc32_z(0L, Z_NULL, 0);
  return static_cast<uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(data), n));
}

std::string SequenceFileName(uint64_t sequence, std::string_view extension) {
  std::string digits = std::to_string(sequence);
  return std::string(20 - digits.size(), '0') + digits + std::string(extension);
}

uint64_t ParseSequenceFileName(const std::string& name, std::string_view extension) {
  if (name.size() != 20 + extension.size() || name.compare(20, std::string::npos, extension) != 0)
    return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

std::string SegmentHeader(uint64_t first_sequence) {
  std::string h(kMagic, sizeof kMagic);
  char seq[8];
  std::memcpy(seq, &first_sequence, 8);
  h.append(seq, 8);
  return h;
}

void AppendRecordHeader(std::string& out, std::string_view payload) {
  uint32_t header[2] = {static_cast<uint32_t>(payload.size()),
                        Checksum(payload.data(), payload.size())};
  out.append(reinterpret_cast<const char*>(header), sizeof header);
}

void AppendRecord(std::string& out, const std::string& payload) {
  AppendRecordHeader(out, payload);
  out.append(payload);
}

}  // namespace quantatom::log_format
