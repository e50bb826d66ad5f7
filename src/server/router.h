// The route table: every endpoint the server answers, with what the
// dispatcher needs (authentication, admin) and what the OpenAPI document
// says about it. Both read the same table, so they cannot disagree.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/api.h"
#include "server/auth.h"

namespace quantatom::server {

using Handler = std::function<HttpResponse(HttpRequest&, const Principal&)>;

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/api/cubes/{cube}/view": a {name} matches one path segment
  std::string summary;  // one line for the OpenAPI document
  bool authenticated = true;
  bool admin_only = false;
  std::vector<std::string> query_params;  // documented names
  bool has_body = false;                  // takes a JSON body
  Handler handler;
  int success_status = 200;  // 201 for a creation
  bool commits = false;      // waits for a durable commit: runs on the commit threads
  // Takes a bulk body (CSV or columnar JSON) under HttpLimits'
  // bulk_body_bytes_max instead of the JSON body limit.
  bool bulk_body = false;
};

class Router {
 public:
  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  struct Match {
    const Route* route = nullptr;  // nullptr: see `allowed`
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods of a path that exists (for 405)
  };
  // `path` as sent: split on '/' first, then each segment is percent-decoded,
  // so an encoded '/' inside a member name stays in its segment.
  Match Find(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;
};

// Percent-decoding ('+' stays '+': paths and our query values use %20).
// False on a malformed escape.
bool PercentDecode(std::string_view in, std::string& out);

}  // namespace quantatom::server
