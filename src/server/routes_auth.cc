// Login, logout, API tokens and users.
#include "server/routes.h"

namespace quantatom::server {
namespace {

json TokenJson(const TokenInfo& t) {
  return {{"id", t.id}, {"user", t.user}, {"name", t.name}, {"created_s", t.created_s}};
}

HttpResponse Login(ServerContext& ctx, HttpRequest& req) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"user", "password"});
  std::string user = StringMember(body, "user", true);
  std::string password = StringMember(body, "password", true);
  LoginResult r = ctx.auth.Login(user, password, req.remote_address);
  switch (r.outcome) {
    case LoginOutcome::kOk:
      return JsonResponse(
          200,
          {{"token", r.token}, {"expires_s", r.expires_s}, {"user", user}, {"admin", r.admin}});
    case LoginOutcome::kRateLimited: {
      HttpResponse out = ErrorResponse(
          429, "TOO_MANY_ATTEMPTS",
          "too many failed logins; retry in " + std::to_string(r.retry_after_s) + " s");
      out.headers.push_back({"Retry-After", std::to_string(r.retry_after_s)});
      return out;
    }
    case LoginOutcome::kBadCredentials:
      break;
  }
  return ErrorResponse(401, "BAD_CREDENTIALS", "unknown user or wrong password");
}

HttpResponse CreateToken(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name"});
  auto [info, token] =
      ValueOrThrow(ctx.auth.CreateApiToken(p.user, StringMember(body, "name", false)));
  json out = TokenJson(info);
  out["token"] = token;
  return JsonResponse(201, out);
}

HttpResponse CreateUser(ServerContext& ctx, HttpRequest& req) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name", "password", "admin"});
  std::string name = StringMember(body, "name", true);
  bool admin = BoolMember(body, "admin", false);
  ThrowIfError(ctx.auth.AddUser(name, StringMember(body, "password", true), admin));
  return JsonResponse(201, {{"name", name}, {"admin", admin}});
}

}  // namespace

void AddAuthRoutes(Router& router, ServerContext& ctx) {
  router.Add({"POST",
              "/api/login",
              "Exchange a user name and password for a session token",
              false,
              false,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal&) { return Login(ctx, req); }});
  router.Add({"POST",
              "/api/logout",
              "Revoke the token this request carries",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                ThrowIfError(ctx.auth.Logout(p));
                return JsonResponse(200, {{"revoked", true}});
              }});
  router.Add({"GET",
              "/api/tokens",
              "Your API tokens (every token for an admin)",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                json tokens = json::array();
                for (const TokenInfo& t : ctx.auth.Tokens(p)) tokens.push_back(TokenJson(t));
                return JsonResponse(200, {{"tokens", tokens}});
              }});
  router.Add({"POST",
              "/api/tokens",
              "Create a long-lived API token; its text is shown only once",
              true,
              false,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal& p) { return CreateToken(ctx, req, p); },
              201});
  router.Add({"DELETE",
              "/api/tokens/{id}",
              "Revoke an API token",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                ThrowIfError(ctx.auth.RevokeApiToken(p, req.path_params.at("id")));
                return JsonResponse(200, {{"revoked", req.path_params.at("id")}});
              }});
  router.Add({"GET",
              "/api/users",
              "The users (admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest&, const Principal&) {
                json users = json::array();
                for (const UserInfo& u : ctx.auth.Users())
                  users.push_back({{"name", u.name},
                                   {"admin", u.admin},
                                   {"created_s", u.created_s},
                                   {"roles", u.roles}});
                return JsonResponse(200, {{"users", users}});
              }});
  router.Add({"POST",
              "/api/users",
              "Create a user (admin)",
              true,
              true,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal&) { return CreateUser(ctx, req); },
              201});
  router.Add({"DELETE",
              "/api/users/{user}",
              "Delete a user and its API tokens; its sessions end (admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                const std::string& name = req.path_params.at("user");
                if (FoldCase(name) == FoldCase(p.user))
                  throw ApiError(422, "FAILED_PRECONDITION", "you cannot delete yourself");
                ThrowIfError(ctx.auth.DeleteUser(name));
                return JsonResponse(200, {{"deleted", name}});
              }});
}

}  // namespace quantatom::server
