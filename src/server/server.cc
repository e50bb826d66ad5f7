#include "server/server.h"

#include <chrono>
#include <cstdio>
#include <new>

namespace quantatom::server {

struct Server::Impl {
  Impl(Database& db, std::unique_ptr<Auth> a, ServerOptions o)
      : options(std::move(o)), auth(std::move(a)), ctx{db, *auth, options.limits, {}} {}

  HttpResponse Dispatch(HttpRequest& req);
  HttpResponse Route(HttpRequest& req, std::string& user);

  ServerOptions options;
  std::unique_ptr<Auth> auth;
  ServerContext ctx;
  Router router;
  std::unique_ptr<HttpListener> listener;  // last: stopped before the rest goes
};

HttpResponse Server::Impl::Route(HttpRequest& req, std::string& user) {
  Router::Match match = router.Find(req.method, req.path);
  if (!match.route) {
    if (match.allowed.empty())
      return ErrorResponse(404, "NO_ROUTE",
                           "no resource at " + req.path + " (GET /api/openapi.json lists them)");
    std::string allow;
    for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse out =
        ErrorResponse(405, "METHOD_NOT_ALLOWED",
                      req.method + " is not allowed on " + req.path + "; allowed: " + allow);
    out.headers.push_back({"Allow", allow});
    return out;
  }
  Principal principal;
  if (match.route->authenticated) {
    auto who = auth->Authenticate(req.authorization);
    if (!who) {
      HttpResponse out = ErrorResponse(
          401, "UNAUTHENTICATED",
          "a valid token is required (Authorization: Bearer TOKEN; POST /api/login gives one)");
      out.headers.push_back({"WWW-Authenticate", "Bearer"});
      return out;
    }
    principal = std::move(*who);
    user = principal.user;
    if (match.route->admin_only && !principal.admin)
      return ErrorResponse(403, "FORBIDDEN", "only an admin may do this");
  }
  req.path_params = std::move(match.params);
  return match.route->handler(req, principal);
}

HttpResponse Server::Impl::Dispatch(HttpRequest& req) {
  auto start = std::chrono::steady_clock::now();
  std::string user;
  HttpResponse out;
  try {
    out = Route(req, user);
  } catch (const ApiError& e) {
    out = ErrorResponse(e);
  } catch (const std::bad_alloc&) {
    out = ErrorResponse(503, "OUT_OF_MEMORY", "the server ran out of memory for this request");
  } catch (const std::exception& e) {
    out = ErrorResponse(500, "INTERNAL", e.what());
  }
  if (options.access_log) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    json line = {{"method", req.method}, {"path", req.path}, {"status", out.status},
                 {"user", user},         {"ms", ms},         {"remote", req.remote_address}};
    std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  }
  return out;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(Database& db, const std::string& data_dir,
                                              ServerOptions options) {
  QA_ASSIGN_OR_RETURN(auto store, SecurityStore::Open(data_dir));
  auto auth = std::make_unique<Auth>(std::move(store), options.auth);
  if (!options.bootstrap_admin_user.empty()) {
    Status s = auth->AddUser(options.bootstrap_admin_user, options.bootstrap_admin_password, true);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
  }
  auto impl = std::make_unique<Impl>(db, std::move(auth), std::move(options));
  AddHealthRoutes(impl->router, impl->ctx);
  AddAuthRoutes(impl->router, impl->ctx);
  AddModelRoutes(impl->router, impl->ctx);
  AddCellRoutes(impl->router, impl->ctx);
  AddChangeRoutes(impl->router, impl->ctx);
  AddRoleRoutes(impl->router, impl->ctx);
  AddOpenApiRoute(impl->router);
  Impl* raw = impl.get();
  QA_ASSIGN_OR_RETURN(impl->listener,
                      HttpListener::Start(raw->options.address, raw->options.port,
                                          raw->options.threads, raw->options.http,
                                          [raw](HttpRequest& req) { return raw->Dispatch(req); }));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->listener->port(); }
const Router& Server::router() const { return impl_->router; }
Auth& Server::auth() { return *impl_->auth; }

void Server::Stop() {
  if (impl_ && impl_->listener) impl_->listener->Stop();
}

}  // namespace quantatom::server
