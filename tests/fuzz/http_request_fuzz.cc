// libFuzzer: bytes as they arrive on a connection, through the listener's
// path: Beast's request parser with the server's header limit, then
// ToHttpRequest (target split, query decoding), then the server's whole
// dispatch (routing and percent-decoding, authentication, X-Request-Id and
// traceparent, the handlers and their JSON bodies: views, cell writes,
// member searches) over a small model. Any 4xx is fine; a crash, a sanitizer
// report or a 500 INTERNAL (an exception a handler did not expect) is not.
//
// "Authorization: Bearer fuzz" is replaced by a real session token, except
// on routes that change security state (a logout would end the session and
// each token or user change rewrites a file).
#include <sodium.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "env/fault_env.h"
#include "server/http_request.h"
#include "server/server.h"

namespace {

using namespace quantatom;
namespace http = boost::beast::http;

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Fixture {
  FaultEnv env;
  std::unique_ptr<Database> db;
  std::unique_ptr<server::Server> server;
  std::string token;
  std::string dir;  // the security store's

  ~Fixture() {
    server.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }

  Fixture() {
    DatabaseOptions options;
    options.env = &env;
    options.snapshot_every_transactions = 0;
    auto opened = Database::Open("/db", options);
    Check(opened.ok());
    db = std::move(*opened);
    CommitContext ctx{"setup", ""};
    Check(db->CreateDimension("Region",
                              "member,parent,weight,alias\nWorld,,,\nEast,World,1,E\n"
                              "West,World,-1,\n\"A, Inc.\",East,1,\n",
                              ctx)
              .ok());
    Check(
        db->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx).ok());
    Check(db->CreateCube("Sales", {"Region", "Month"}, ctx).ok());
    char made[] = "/tmp/qa_http_fuzz_XXXXXX";
    Check(mkdtemp(made) != nullptr);
    dir = made;
    server::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.auth.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.auth.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    o.bootstrap_admin_user = "admin";
    o.bootstrap_admin_password = "admin-password";
    auto log = server::JsonLog::Open("/dev/null");
    Check(log.ok());
    o.log = std::move(*log);
    auto started = server::Server::Start(*db, dir, o);
    Check(started.ok());
    server = std::move(*started);
    server::HttpRequest login;
    login.method = "POST";
    login.path = "/api/login";
    login.body = R"({"user": "admin", "password": "admin-password"})";
    server::HttpResponse r = server->Handle(login);
    Check(r.status == 200);
    token = server::json::parse(r.body)["token"];
  }
};

Fixture* fixture = nullptr;

bool ChangesSecurity(const std::string& path) {
  for (const char* prefix : {"/api/logout", "/api/tokens", "/api/users"})
    if (path.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Not destroyed at exit (its threads would outlive main), only its
  // directory removed; replaced when the writes it took make the log long
  // enough to slow history and time travel down on a long run.
  if (!fixture) {
    fixture = new Fixture();
    std::atexit([] { std::filesystem::remove_all(fixture->dir); });
  } else if (fixture->db->last_sequence() > 5000) {
    delete fixture;
    fixture = new Fixture();
  }
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  boost::asio::const_buffer input(data, size);
  while (input.size() > 0 && !parser.is_done()) {
    size_t used = parser.put(input, ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;  // the listener answers 400, 413 or 431 and closes
    if (used == 0) break;
    input += used;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return 0;  // put_eof's precondition: the peer said nothing
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  server::HttpRequest req = server::ToHttpRequest(parser.release(), "fuzz");
  if (req.authorization == "Bearer fuzz" && !ChangesSecurity(req.path))
    req.authorization = "Bearer " + fixture->token;
  server::HttpResponse out = fixture->server->Handle(req);
  Check(out.status >= 200 && out.status <= 599);
  Check(out.status != 500 || out.body.find("\"INTERNAL\"") == std::string::npos);
  return 0;
}
