#include "server/http_request.h"

#include <algorithm>

#include "server/router.h"

namespace quantatom::server {
namespace {

namespace http = boost::beast::http;

// '+' is a space in query strings (form encoding); a literal '+' is %2B.
void ParseQuery(std::string_view query, std::map<std::string, std::string>& out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq)),
        value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    std::replace(key.begin(), key.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    std::string k, v;
    // A malformed escape keeps the raw text: the handler then reports it as
    // an unknown member or a bad number, which names it.
    out[PercentDecode(key, k) ? k : key] = PercentDecode(value, v) ? v : value;
  }
}

}  // namespace

HttpRequest ToHttpRequest(http::request<http::string_body>&& req, std::string remote_address) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  std::string_view target(req.target().data(), req.target().size());
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), r.query);
  r.content_type = std::string(req[http::field::content_type]);
  r.authorization = std::string(req[http::field::authorization]);
  r.request_id = std::string(req["X-Request-Id"]);
  r.traceparent = std::string(req["traceparent"]);
  r.remote_address = std::move(remote_address);
  r.body = std::move(req.body());
  return r;
}

}  // namespace quantatom::server
