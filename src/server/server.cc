#include "server/server.h"

#include <atomic>
#include <chrono>
#include <new>

#include "server/live_hub.h"
#include "server/metrics.h"
#include "server/request_trace.h"
#include "server/static_files.h"

namespace quantatom::server {

struct Server::Impl {
  Impl(Database& db, std::unique_ptr<Auth> a, ServerOptions o, std::string data_dir)
      : options(std::move(o)),
        auth(std::move(a)),
        ctx{db, *auth, options.limits, {}, {}, std::move(data_dir), nullptr},
        jobs(options.jobs) {
    ctx.jobs = &jobs;
  }

  HttpResponse Dispatch(HttpRequest& req);
  WebSocketUpgrade Upgrade(HttpRequest& req);
  HttpResponse Route(HttpRequest& req, std::string& user, const server::Route*& route);
  void LogRequest(const HttpRequest& req, const HttpResponse& out, const RequestTrace& trace,
                  const server::Route* route, const std::string& user, double seconds);

  ServerOptions options;
  std::unique_ptr<Auth> auth;
  ServerContext ctx;
  Router router;
  ServerMetrics metrics;
  JobQueue jobs;  // stopped before the listener
  // Set once the listener runs; /metrics may be asked before Start returns.
  std::atomic<const HttpListener*> running{nullptr};
  std::unique_ptr<StaticFiles> web;        // nullptr: no web app
  std::unique_ptr<LiveHub> live;           // stopped before the listener
  std::unique_ptr<HttpListener> listener;  // last: stopped before the rest goes
};

HttpResponse Server::Impl::Route(HttpRequest& req, std::string& user, const server::Route*& route) {
  Router::Match match = router.Find(req.method, req.path);
  route = match.route;
  if (!match.route) {
    if (match.allowed.empty() && web && StaticFiles::Serves(req)) return web->Answer(req);
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
  RequestTrace trace = RequestTrace::Begin(req.request_id, req.traceparent);
  std::string user;
  const server::Route* route = nullptr;
  HttpResponse out;
  try {
    out = Route(req, user, route);
  } catch (const ApiError& e) {
    out = ErrorResponse(e);
  } catch (const std::bad_alloc&) {
    out = ErrorResponse(503, "OUT_OF_MEMORY", "the server ran out of memory for this request");
  } catch (const std::exception& e) {
    out = ErrorResponse(500, "INTERNAL", e.what());
  }
  out.headers.push_back({"X-Request-Id", trace.request_id});
  out.headers.push_back({"traceparent", trace.TraceParentHeader()});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received).count();
  metrics.ObserveRequest(req.method, route ? route->pattern : "", out.status, seconds);
  if (options.access_log || out.status >= 500) LogRequest(req, out, trace, route, user, seconds);
  return out;
}

// An upgrade is dispatched as a request, and accepted when its route
// answers 101 (GET /api/live, the only one that does).
WebSocketUpgrade Server::Impl::Upgrade(HttpRequest& req) {
  req.websocket_upgrade = true;
  // Browsers cannot set headers on a WebSocket: the token may come in the query.
  auto token = req.query.find("access_token");
  if (req.authorization.empty() && token != req.query.end())
    req.authorization = "Bearer " + token->second;
  HttpResponse out = Dispatch(req);
  if (out.status != 101) return {std::move(out), nullptr};
  return {std::nullopt,
          [hub = live.get(), authorization = req.authorization](
              std::shared_ptr<WebSocketPeer> peer) { return hub->Open(peer, authorization); }};
}

// One line per request, carrying its request id and trace; a 5xx is an
// error line with the error's message.
void Server::Impl::LogRequest(const HttpRequest& req, const HttpResponse& out,
                              const RequestTrace& trace, const server::Route* route,
                              const std::string& user, double seconds) {
  nlohmann::ordered_json line = {
      {"request_id", trace.request_id}, {"trace_id", trace.trace_id}, {"span_id", trace.span_id}};
  if (!trace.parent_id.empty()) line["parent_id"] = trace.parent_id;
  line["method"] = req.method;
  line["route"] = route ? route->pattern : "";
  line["path"] = req.path;
  line["status"] = out.status;
  line["duration_ms"] = seconds * 1e3;
  line["user"] = user;
  line["remote"] = req.remote_address;
  JsonLog::Level level = JsonLog::Level::kInfo;
  if (out.status >= 500) {
    level = JsonLog::Level::kError;
    json body = json::parse(out.body, nullptr, false);
    if (body.is_object() && body.contains("error")) line["error"] = body["error"].dump();
  }
  options.log->Write(level, "request", line);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(Database& db, const std::string& data_dir,
                                              ServerOptions options) {
  if (!options.log) {
    QA_ASSIGN_OR_RETURN(options.log, JsonLog::Open(""));
  }
  QA_ASSIGN_OR_RETURN(auto store, SecurityStore::Open(data_dir));
  auto auth = std::make_unique<Auth>(std::move(store), options.auth);
  if (!options.bootstrap_admin_user.empty()) {
    Status s = auth->AddUser(options.bootstrap_admin_user, options.bootstrap_admin_password, true);
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
  }
  auto impl = std::make_unique<Impl>(db, std::move(auth), std::move(options), data_dir);
  Impl* raw = impl.get();
  if (!raw->options.web_dir.empty()) {
    QA_ASSIGN_OR_RETURN(impl->web, StaticFiles::Open(raw->options.web_dir));
  }
  AddHealthRoutes(impl->router, impl->ctx);
  AddMetricsRoute(impl->router, [raw] {
    const HttpListener* listener = raw->running.load();
    return raw->metrics.Render(raw->ctx.db,
                               {listener ? listener->connections_open() : 0,
                                std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()});
  });
  AddAuthRoutes(impl->router, impl->ctx);
  AddModelRoutes(impl->router, impl->ctx);
  AddCellRoutes(impl->router, impl->ctx);
  AddBulkRoutes(impl->router, impl->ctx);
  AddChangeRoutes(impl->router, impl->ctx);
  impl->live = std::make_unique<LiveHub>(impl->ctx);
  AddLiveRoute(impl->router, impl->ctx, *impl->live);
  AddRoleRoutes(impl->router, impl->ctx);
  AddWritebackRoutes(impl->router, impl->ctx);
  AddWorkspaceRoutes(impl->router, impl->ctx);
  AddStructureRoutes(impl->router, impl->ctx);
  AddMemberRoutes(impl->router, impl->ctx);
  AddViewRoutes(impl->router, impl->ctx);
  AddRuleRoutes(impl->router, impl->ctx);
  AddJobRoutes(impl->router, impl->ctx);
  AddUndoRoutes(impl->router, impl->ctx);
  AddOpenApiRoute(impl->router);
  raw->options.http.takes_bulk_body = [raw](std::string_view method, std::string_view path) {
    const server::Route* route = raw->router.Find(std::string(method), std::string(path)).route;
    return route && route->bulk_body;
  };
  raw->options.http.refused = [raw](std::string_view method, int status) {
    raw->metrics.ObserveRefused(method, status);
  };
  QA_ASSIGN_OR_RETURN(impl->listener, HttpListener::Start(
                                          raw->options.address, raw->options.port,
                                          {raw->options.threads, raw->options.commit_threads,
                                           [raw](const HttpRequest& req) {
                                             const Route* r =
                                                 raw->router.Find(req.method, req.path).route;
                                             return r && r->commits;
                                           }},
                                          raw->options.http, raw->options.tls,
                                          [raw](HttpRequest& req) { return raw->Dispatch(req); },
                                          [raw](HttpRequest& req) { return raw->Upgrade(req); }));
  raw->running = impl->listener.get();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->listener->port(); }
const Router& Server::router() const { return impl_->router; }
Auth& Server::auth() { return *impl_->auth; }
JsonLog& Server::log() { return *impl_->options.log; }
HttpResponse Server::Handle(HttpRequest& req) { return impl_->Dispatch(req); }

void Server::Stop() {
  if (!impl_) return;
  // The hub first: it holds connections that must go before the listener's
  // io_context does.
  if (impl_->live) impl_->live->Stop();
  impl_->jobs.Stop();  // queued jobs are cancelled, running ones finish
  if (impl_->listener) impl_->listener->Stop();
}

}  // namespace quantatom::server
