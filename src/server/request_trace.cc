#include "server/request_trace.h"

#include <sodium.h>

#include <algorithm>

namespace quantatom::server {
namespace {

std::string RandomHex(size_t bytes) {
  unsigned char raw[16];
  std::string hex(2 * bytes + 1, '\0');
  // All zero is invalid for trace and span ids; 2^-64 per draw, still excluded.
  do {
    randombytes_buf(raw, bytes);
  } while (std::all_of(raw, raw + bytes, [](unsigned char b) { return b == 0; }));
  sodium_bin2hex(hex.data(), hex.size(), raw, bytes);
  hex.pop_back();
  return hex;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

}  // namespace

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_.:/+=").find(c) != std::string_view::npos;
  });
}

std::string NewRequestId() { return RandomHex(16); }

// version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2 = 55.
std::optional<TraceParent> ParseTraceParent(std::string_view h) {
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16),
                   flags = h.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  // Version 00 is exactly 55 characters; a later one may append "-..." fields.
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return std::nullopt;
  if (!IsLowerHex(trace) || AllZero(trace) || !IsLowerHex(parent) || AllZero(parent) ||
      !IsLowerHex(flags))
    return std::nullopt;
  return TraceParent{std::string(trace), std::string(parent),
                     static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]))};
}

RequestTrace RequestTrace::Begin(std::string_view request_id_header, std::string_view traceparent) {
  RequestTrace t;
  t.request_id =
      IsSaneRequestId(request_id_header) ? std::string(request_id_header) : NewRequestId();
  if (auto parent = ParseTraceParent(traceparent)) {
    t.trace_id = std::move(parent->trace_id);
    t.parent_id = std::move(parent->parent_id);
    t.flags = parent->flags;
  } else {
    t.trace_id = RandomHex(16);
  }
  t.span_id = RandomHex(8);
  return t;
}

std::string RequestTrace::TraceParentHeader() const {
  static constexpr char kHex[] = "0123456789abcdef";
  // Only the sampled flag is ours to pass on; the others are reserved in 00.
  return "00-" + trace_id + "-" + span_id + "-0" + kHex[flags & 1];
}

}  // namespace quantatom::server
