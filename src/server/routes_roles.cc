// Roles, their grants on cubes and members, and who holds them (admin).
#include "server/routes.h"

namespace quantatom::server {
namespace {

// `where`: "" at the top level, "grants[i]." inside a grant.
security::Access AccessMember(const json& object, const std::string& where) {
  auto access = security::ParseAccess(StringMember(object, "access", true));
  if (!access)
    throw ApiError(400, "INVALID_ARGUMENT",
                   (where.empty() ? "'access'" : where + "access") +
                       ": expected \"NONE\", \"READ\" or \"WRITE\"");
  return *access;
}

// {"access": LEVEL, "grants": [{"dimension", "member", "access"}, ...]}
security::CubeGrant ParseCubeGrant(const ServerContext& ctx, const std::string& cube,
                                   const std::string& text) {
  json body = ParseJsonObject(text);
  RejectUnknownMembers(body, {"access", "grants"});
  security::CubeGrant grant{cube, AccessMember(body, ""), {}};
  const json* grants = Member(body, "grants");
  if (!grants) return grant;
  if (!grants->is_array()) throw ApiError(400, "INVALID_ARGUMENT", "'grants': expected an array");
  if (grants->size() > ctx.limits.grants_per_cube_max)
    throw ApiError(413, "LIMIT_EXCEEDED",
                   "'grants': at most " + std::to_string(ctx.limits.grants_per_cube_max));
  for (size_t i = 0; i < grants->size(); ++i) {
    const json& g = (*grants)[i];
    std::string where = "grants[" + std::to_string(i) + "].";
    if (!g.is_object())
      throw ApiError(400, "INVALID_ARGUMENT",
                     "grants[" + std::to_string(i) + "]: expected an object");
    RejectUnknownMembers(g, {"dimension", "member", "access"});
    grant.members.push_back({StringMember(g, "dimension", true), StringMember(g, "member", true),
                             AccessMember(g, where)});
  }
  return grant;
}

// {"user", "roles"}: the user's roles after a change.
HttpResponse UserRoles(const ServerContext& ctx, const std::string& user) {
  json roles = json::array();
  for (const UserInfo& u : ctx.auth.Users())
    if (FoldCase(u.name) == FoldCase(user)) roles = u.roles;
  return JsonResponse(200, {{"user", user}, {"roles", roles}});
}

// The role as stored now (another request may have deleted it meanwhile).
HttpResponse RoleResponse(const ServerContext& ctx, const std::string& name) {
  auto policy = ctx.auth.Policy();
  const security::Role* role = policy->FindRole(name);
  if (!role) throw ApiError(404, "NOT_FOUND", "unknown role '" + name + "'");
  return JsonResponse(200, RoleToJson(*role));
}

HttpResponse ListRoles(ServerContext& ctx) {
  auto policy = ctx.auth.Policy();
  auto users = ctx.auth.Users();
  json roles = json::array(), problems = json::array();
  for (const security::Role& role : policy->roles()) {
    json r = RoleToJson(role), holders = json::array();
    for (const UserInfo& u : users)
      for (const std::string& held : u.roles)
        if (FoldCase(held) == FoldCase(role.name)) holders.push_back(u.name);
    r["users"] = holders;
    roles.push_back(std::move(r));
  }
  auto find_cube = [&ctx](std::string_view name) { return ctx.db.FindCube(name); };
  for (const security::GrantProblem& p : policy->Problems(find_cube))
    problems.push_back({{"role", p.role}, {"cube", p.cube}, {"message", p.message}});
  return JsonResponse(200, {{"roles", roles}, {"problems", problems}});
}

HttpResponse SetCubeGrant(ServerContext& ctx, HttpRequest& req) {
  const std::string& role = req.path_params.at("role");
  auto cube = CubeOrThrow(ctx.db, req.path_params.at("cube"));
  security::CubeGrant grant = ParseCubeGrant(ctx, cube->name(), req.body);
  // Not while a structure change runs: a grant must not name a member being deleted.
  std::lock_guard lock(ctx.structure_mu);
  cube = CubeOrThrow(ctx.db, cube->name());
  ThrowIfError(security::ValidateCubeGrant(grant, *cube));
  ThrowIfError(ctx.auth.SetCubeGrant(role, grant));
  return RoleResponse(ctx, role);
}

}  // namespace

void AddRoleRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/roles",
              "The roles with their grants and users, and grants naming what the model lacks "
              "(admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest&, const Principal&) { return ListRoles(ctx); }});
  router.Add({"POST",
              "/api/roles",
              "Create a role without grants (admin)",
              true,
              true,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal&) {
                json body = ParseJsonObject(req.body);
                RejectUnknownMembers(body, {"name"});
                std::string name = StringMember(body, "name", true);
                ThrowIfError(ctx.auth.AddRole(name));
                return JsonResponse(201, RoleToJson({name, {}}));
              },
              201});
  router.Add({"DELETE",
              "/api/roles/{role}",
              "Delete a role; its users lose it (admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                ThrowIfError(ctx.auth.DeleteRole(req.path_params.at("role")));
                return JsonResponse(200, {{"deleted", req.path_params.at("role")}});
              }});
  router.Add({"PUT",
              "/api/roles/{role}/cubes/{cube}",
              "Replace a role's default access and member grants on a cube (admin)",
              true,
              true,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal&) { return SetCubeGrant(ctx, req); }});
  router.Add({"DELETE",
              "/api/roles/{role}/cubes/{cube}",
              "Remove a role's grants on a cube: it gives nothing there (admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                const std::string& role = req.path_params.at("role");
                ThrowIfError(ctx.auth.RemoveCubeGrant(role, req.path_params.at("cube")));
                return RoleResponse(ctx, role);
              }});
  router.Add({"POST",
              "/api/users/{user}/roles",
              "Give a user a role (admin)",
              true,
              true,
              {},
              true,
              [&ctx](HttpRequest& req, const Principal&) {
                json body = ParseJsonObject(req.body);
                RejectUnknownMembers(body, {"role"});
                const std::string& user = req.path_params.at("user");
                ThrowIfError(ctx.auth.AssignRole(user, StringMember(body, "role", true)));
                return UserRoles(ctx, user);
              }});
  router.Add({"DELETE",
              "/api/users/{user}/roles/{role}",
              "Take a role from a user (admin)",
              true,
              true,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                const std::string& user = req.path_params.at("user");
                ThrowIfError(ctx.auth.UnassignRole(user, req.path_params.at("role")));
                return UserRoles(ctx, user);
              }});
}

}  // namespace quantatom::server
