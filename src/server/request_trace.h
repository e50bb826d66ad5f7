// Who a request is, for logs and for the services around the server: its
// request id (X-Request-Id) and its place in a distributed trace (the W3C
// Trace Context `traceparent` header, https://www.w3.org/TR/trace-context/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace quantatom::server {

// A client's X-Request-Id is kept when it is 1 to 128 characters of
// A-Z a-z 0-9 and - _ . : / + =; anything else is replaced by a new id, so a
// log line cannot be forged or bloated through it.
bool IsSaneRequestId(std::string_view id);
std::string NewRequestId();  // 32 random hex digits

struct TraceParent {
  std::string trace_id;   // 32 lower-case hex digits, not all zero
  std::string parent_id;  // 16 lower-case hex digits, not all zero: the caller's span
  uint8_t flags = 0;      // bit 0: sampled
};

// Version 00 exactly as the specification gives it; a later version is read
// by its first four fields, as the specification asks. nullopt for anything
// else (the caller then starts a new trace: an invalid header is no error).
std::optional<TraceParent> ParseTraceParent(std::string_view header);

// The trace a request belongs to: the caller's when it sent a valid
// traceparent, else a new one; and the server's own span in it.
struct RequestTrace {
  std::string request_id;
  std::string trace_id;
  std::string parent_id;  // "" when the trace started here
  std::string span_id;    // new, 16 hex digits
  uint8_t flags = 0;

  static RequestTrace Begin(std::string_view request_id_header, std::string_view traceparent);
  // "00-<trace_id>-<span_id>-<flags>": the traceparent of the server's span,
  // for the response and for anything the request calls.
  std::string TraceParentHeader() const;
};

}  // namespace quantatom::server
