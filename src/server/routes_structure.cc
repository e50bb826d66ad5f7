// Creating and deleting dimensions and cubes (admin): each one logged
// transaction. A dimension comes from a member list in JSON or from the
// dimension CSV of docs/formats.md; either way the log keeps the CSV.
#include "server/access_guard.h"
#include "server/member_list.h"
#include "server/structure_answers.h"
#include "server/visible_dimension.h"

namespace quantatom::server {
namespace {

HttpResponse CreateDimension(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name", "members", "csv"});
  const std::string name = StringMember(body, "name", true);
  CheckNewName("name", name);
  const json* members = Member(body, "members");
  const bool has_csv = Member(body, "csv") != nullptr;
  if ((members != nullptr) == has_csv)
    throw ApiError(400, "INVALID_ARGUMENT", "give either 'members' or 'csv'");
  const std::string csv =
      has_csv ? StringMember(body, "csv", true)
              : ValueOrThrow(MemberListCsv(*members, ctx.limits.dimension_members_max));
  std::lock_guard lock(ctx.structure_mu);
  CommitResult r = ValueOrThrow(ctx.db.CreateDimension(name, csv, {p.user, ""}));
  auto dim = ctx.db.FindDimension(name);
  if (!dim) throw ApiError(409, "CONFLICT", "dimension '" + name + "' was deleted meanwhile");
  return JsonResponse(
      201, {{"sequence", r.sequence}, {"dimension", DimensionJson({dim, std::nullopt})}});
}

HttpResponse DeleteDimension(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const std::string& name = req.path_params.at("dim");
  std::lock_guard lock(ctx.structure_mu);
  CommitResult r =
      StructureResultOrThrow(ctx.db.DeleteDimension(name, {p.user, ""}), {}, {}, "IN_USE");
  return JsonResponse(200, {{"sequence", r.sequence}, {"deleted", name}});
}

HttpResponse CreateCube(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name", "dimensions"});
  const std::string name = StringMember(body, "name", true);
  CheckNewName("name", name);
  const json* dims = Member(body, "dimensions");
  if (!dims || !dims->is_array() || dims->empty())
    throw ApiError(400, "INVALID_ARGUMENT", "'dimensions': a non-empty array of names expected");
  std::vector<std::string> names;
  for (const json& d : *dims) {
    if (!d.is_string())
      throw ApiError(400, "INVALID_ARGUMENT", "'dimensions': names (strings) expected");
    names.push_back(d);
  }
  std::lock_guard lock(ctx.structure_mu);
  CommitResult r = ValueOrThrow(server::CreateCube(ctx.db, ctx.auth, name, names, {p.user, ""}));
  auto cube = ctx.db.FindCube(name);
  if (!cube) throw ApiError(409, "CONFLICT", "cube '" + name + "' was deleted meanwhile");
  json dimensions = json::array();
  for (const auto& d : cube->dimensions()) dimensions.push_back(d->name());
  return JsonResponse(201, {{"sequence", r.sequence},
                            {"cube", {{"name", cube->name()}, {"dimensions", dimensions}}}});
}

HttpResponse DeleteCube(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  const std::string& name = req.path_params.at("cube");
  const bool delete_data = BoolQuery(req, "delete_data", false);
  std::lock_guard lock(ctx.structure_mu);
  StructureReport report;
  CommitResult r = StructureResultOrThrow(
      server::DeleteCube(ctx.db, ctx.auth, name, delete_data, {p.user, ""}, &report), report);
  return JsonResponse(
      200, {{"sequence", r.sequence}, {"deleted", name}, {"atoms_deleted", report.atoms}});
}

}  // namespace

void AddStructureRoutes(Router& router, ServerContext& ctx) {
  Route create_dim{
      "POST",
      "/api/dimensions",
      "Create a dimension from a member list or the dimension CSV (admin)",
      true,
      true,
      {},
      true,
      [&ctx](HttpRequest& req, const Principal& p) { return CreateDimension(ctx, req, p); },
      201};
  create_dim.commits = true;
  router.Add(std::move(create_dim));
  Route delete_dim{
      "DELETE",
      "/api/dimensions/{dim}",
      "Delete a dimension no cube uses (admin); 409 IN_USE names the cubes",
      true,
      true,
      {},
      false,
      [&ctx](HttpRequest& req, const Principal& p) { return DeleteDimension(ctx, req, p); }};
  delete_dim.commits = true;
  router.Add(std::move(delete_dim));
  Route create_cube{
      "POST",
      "/api/cubes",
      "Create a cube over dimensions (admin)",
      true,
      true,
      {},
      true,
      [&ctx](HttpRequest& req, const Principal& p) { return CreateCube(ctx, req, p); },
      201};
  create_cube.commits = true;
  router.Add(std::move(create_cube));
  Route delete_cube{
      "DELETE",
      "/api/cubes/{cube}",
      "Delete a cube, its saved views and the roles' grants on it (admin); one "
      "holding atoms needs delete_data=true (409 HAS_DATA)",
      true,
      true,
      {"delete_data"},
      false,
      [&ctx](HttpRequest& req, const Principal& p) { return DeleteCube(ctx, req, p); }};
  delete_cube.commits = true;
  router.Add(std::move(delete_cube));
}

}  // namespace quantatom::server
