// The server's view of one HTTP exchange, free of Beast so that handlers,
// the router and tests need not include it; and the one place where errors
// become HTTP statuses and machine-readable codes.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantatom/status.h"

namespace quantatom::server {

using nlohmann::json;

struct HttpRequest {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // as sent (percent-encoded), without the query
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps the last value
  std::string body;
  std::string content_type;   // the Content-Type header, "" when absent
  std::string authorization;  // the Authorization header, "" when absent
  std::string request_id;     // the X-Request-Id header, "" when absent
  std::string traceparent;    // the W3C traceparent header, "" when absent
  std::string remote_address;
  // When its last byte was read: latencies include the wait for a worker.
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  std::map<std::string, std::string> path_params;  // decoded; filled by the router
  // A WebSocket upgrade request: the route answers 101 to accept it.
  bool websocket_upgrade = false;
};

// Produces a streamed body piece by piece: each call appends the next piece
// to `out` (which arrives empty) and returns false once that piece is the
// last. Called on worker threads, one call at a time; it must not throw.
using BodyStream = std::function<bool(std::string& out)>;

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is sent from it with chunked transfer encoding and
  // `body` is ignored: an answer too large to build in memory.
  BodyStream stream;
};

// A request refused with an HTTP status, a code such as "MALFORMED_JSON" and
// a message for people. Thrown by handlers and caught by the dispatcher
// (server.cc): it never leaves the server module. `details` are merged into
// the error object (e.g. the cells of a conflict).
struct ApiError : std::exception {
  ApiError(int status, std::string code, std::string message, json details = json::object())
      : status(status),
        code(std::move(code)),
        message(std::move(message)),
        details(std::move(details)) {}
  const char* what() const noexcept override { return message.c_str(); }
  int status;
  std::string code, message;
  json details;
};

HttpResponse JsonResponse(int status, const json& body);
// {"error": {"code": ..., "message": ..., details...}}
HttpResponse ErrorResponse(const ApiError& error);
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

// The one mapping from a Status to an HTTP status and error code.
// kUnknownOutcome is 503 UNKNOWN_OUTCOME: the change may be durable, so a
// client must not take it for a failure (retry with the same client_txn_id).
int HttpStatusOf(StatusCode code);
ApiError ErrorOf(const Status& status);
// Throws ErrorOf(status) unless it is OK.
void ThrowIfError(const Status& status);
template <typename T>
T ValueOrThrow(Result<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

// Parses a request body: 400 MALFORMED_JSON naming the byte offset, 400
// JSON_TOO_DEEP past `depth_max` levels of nesting (recursion elsewhere must
// stay bounded), 400 INVALID_ARGUMENT unless the top level is an object.
json ParseJsonObject(std::string_view body, int depth_max = 64);

// Typed members of a JSON object: a wrong type is 400 INVALID_ARGUMENT naming
// the field; an absent optional member gives `fallback`.
const json* Member(const json& object, const char* name);
std::string StringMember(const json& object, const char* name, bool required);
bool BoolMember(const json& object, const char* name, bool fallback);
uint64_t UnsignedMember(const json& object, const char* name, uint64_t fallback);
// Refuses members outside `known` so a typo does not silently change a request.
void RejectUnknownMembers(const json& object, std::initializer_list<std::string_view> known);

// Query parameters: 400 INVALID_ARGUMENT when not an unsigned integer.
uint64_t UnsignedQuery(const HttpRequest& req, const std::string& name, uint64_t fallback);

}  // namespace quantatom::server
