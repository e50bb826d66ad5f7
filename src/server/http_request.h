// From Beast's parsed request to the server's HttpRequest: the listener and
// the request-parsing fuzz target share this path.
#pragma once

#include "server/api.h"
#include "server/beast.h"

namespace quantatom::server {

// Splits the target into path and query (query keys and values decoded,
// '+' a space) and copies the headers the server reads. Moves the body.
HttpRequest ToHttpRequest(boost::beast::http::request<boost::beast::http::string_body>&& req,
                          std::string remote_address);

}  // namespace quantatom::server
