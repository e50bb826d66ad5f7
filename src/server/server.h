// The planning server: a Database served over HTTP/JSON (docs/api.md).
#pragma once

#include <memory>
#include <string>

#include "quantatom/database.h"
#include "server/auth.h"
#include "server/http_listener.h"
#include "server/router.h"
#include "server/routes.h"

namespace quantatom::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port)
  int threads = 2;
  HttpLimits http;
  ServerLimits limits;
  AuthOptions auth;
  // When both are set and no user of that name exists, the server creates
  // it as an admin at start (QA_ADMIN_USER / QA_ADMIN_PASSWORD).
  std::string bootstrap_admin_user, bootstrap_admin_password;
  bool access_log = false;  // one JSON line per request on stderr
};

class Server {
 public:
  // Opens DIR/security (refused while another process holds it) and starts
  // listening. `db` must outlive the server.
  static Result<std::unique_ptr<Server>> Start(Database& db, const std::string& data_dir,
                                               ServerOptions options);
  ~Server();  // stops

  uint16_t port() const;
  const Router& router() const;
  Auth& auth();
  // Stops listening and closes connections; requests being handled finish.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantatom::server
