// The planning server: a Database served over HTTP/JSON (docs/api.md).
#pragma once

#include <memory>
#include <string>

#include "quantatom/database.h"
#include "server/auth.h"
#include "server/http_listener.h"
#include "server/jobs.h"
#include "server/json_log.h"
#include "server/router.h"
#include "server/routes.h"

namespace quantatom::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;     // 0: any free port (see Server::port)
  int threads = 2;          // for reads and everything else
  int commit_threads = 64;  // for requests waiting for a durable commit (Route::commits)
  HttpLimits http;
  ServerLimits limits;
  JobLimits jobs;
  AuthOptions auth;
  // When both are set and no user of that name exists, the server creates
  // it as an admin at start (QA_ADMIN_USER / QA_ADMIN_PASSWORD).
  std::string bootstrap_admin_user, bootstrap_admin_password;
  TlsOptions tls;  // HTTPS only when set
  // Where startup, shutdown, errors and (with access_log) every request are
  // logged, one JSON object a line; nullptr: stderr.
  std::shared_ptr<JsonLog> log;
  bool access_log = false;  // a line per request; answers 5xx are logged regardless
  // The web app's production build, served at "/" (static_files.h); "": none.
  std::string web_dir;
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
  JsonLog& log();
  // Answers one request as if the listener had read it: routing,
  // authentication, metrics, X-Request-Id and traceparent, logging. For
  // tests and the request fuzz target; thread-safe.
  HttpResponse Handle(HttpRequest& req);
  // Stops listening and closes connections; requests being handled finish.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantatom::server
