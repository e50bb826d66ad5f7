// Saved views of a cube: stored in the model and logged (save_view,
// delete_view), so they survive restarts and snapshots and are in the
// audit trail. Anyone who can read the cube lists and reads them; a view
// naming a member the reader cannot see is hidden from that reader (404
// as if absent), so a saved view reveals no member name its grants hide.
// Saving and deleting take some WRITE on the cube, or an admin.
#include "server/access_guard.h"
#include "view/selection.h"

namespace quantatom::server {
namespace {

// Whether every member the view names by name is visible to `access`.
bool NamesOnlyVisible(const Cube& cube, const security::CubeAccess& access, const ViewSpec& view) {
  if (access.unrestricted()) return true;
  auto visible = [&](const std::string& dim_name, const std::vector<std::string>& terms) {
    auto d = cube.DimensionIndex(dim_name);
    if (!d) return true;
    for (MemberId m : NamedMembers(*cube.dimensions()[*d], terms))
      if (!access.MemberVisible(*d, m)) return false;
    return true;
  };
  for (const auto* axis : {&view.rows, &view.columns})
    for (const AxisDimension& a : *axis)
      if (!visible(a.dimension, a.members)) return false;
  for (const auto& [dim, member] : view.context)
    if (!visible(dim, {member})) return false;
  return true;
}

json SavedViewJson(const SavedView& v) {
  json view = json::parse(v.view, nullptr, false);
  return {{"name", v.name}, {"view", view}, {"user", v.user}, {"sequence", v.sequence}};
}

// The saved views `target`'s principal may see, with their parsed spec.
std::vector<std::pair<SavedView, ViewSpec>> VisibleViews(const ServerContext& ctx,
                                                         const CubeAndAccess& target) {
  std::vector<std::pair<SavedView, ViewSpec>> out;
  for (SavedView& v : ctx.db.Views(target.cube->name())) {
    auto spec = ParseViewJson(v.view);
    if (!spec.ok() || !NamesOnlyVisible(*target.cube, *target.access, *spec)) continue;
    out.emplace_back(std::move(v), std::move(*spec));
  }
  return out;
}

std::pair<SavedView, ViewSpec> ViewOrThrow(const ServerContext& ctx, const CubeAndAccess& target,
                                           const std::string& name) {
  for (auto& v : VisibleViews(ctx, target))
    if (FoldCase(v.first.name) == FoldCase(name)) return v;
  throw ApiError(404, "NOT_FOUND", "cube '" + target.cube->name() + "' has no view '" + name + "'");
}

// Saving and deleting views: some WRITE on the cube, or an admin.
void RequireViewWriter(const CubeAndAccess& target) {
  if (!target.access->AnyWritable())
    throw ApiError(403, "FORBIDDEN",
                   "saving or deleting views of cube '" + target.cube->name() +
                       "' needs write access to some of its cells");
}

HttpResponse Save(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  RequireViewWriter(target);
  const std::string& name = req.path_params.at("name");
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"view"});
  const json* view = Member(body, "view");
  if (!view || !view->is_object())
    throw ApiError(400, "INVALID_ARGUMENT", "'view': the view JSON object (docs/view.md)");
  json spec_json = *view;
  if (const json* named = Member(spec_json, "cube")) {
    if (!named->is_string() || FoldCase(named->get<std::string>()) != FoldCase(target.cube->name()))
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'view.cube' must be the cube of the path ('" + target.cube->name() + "')");
  }
  spec_json["cube"] = target.cube->name();
  const std::string text = spec_json.dump();
  ViewSpec spec = ValueOrThrow(ParseViewJson(text));
  // Checked as the saver sees the cube: a hidden member is unknown.
  spec.member_visible = MemberFilter(target.access);
  ThrowIfError(target.cube->CheckView(spec));
  CommitResult r = ValueOrThrow(ctx.db.SaveView(target.cube->name(), name, text, {p.user, ""}));
  return JsonResponse(200, SavedViewJson({name, text, p.user, r.sequence}));
}

HttpResponse Delete(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  RequireViewWriter(target);
  const SavedView view = ViewOrThrow(ctx, target, req.path_params.at("name")).first;
  CommitResult r = ValueOrThrow(ctx.db.DeleteView(target.cube->name(), view.name, {p.user, ""}));
  return JsonResponse(200, {{"sequence", r.sequence}, {"deleted", view.name}});
}

}  // namespace

void AddViewRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/cubes/{cube}/views",
              "The views saved on a cube (those naming only members you can see)",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
                json views = json::array();
                for (const auto& v : VisibleViews(ctx, target))
                  views.push_back(SavedViewJson(v.first));
                return JsonResponse(200, {{"views", views}});
              }});
  router.Add({"GET",
              "/api/cubes/{cube}/views/{name}",
              "One saved view",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
                return JsonResponse(
                    200, SavedViewJson(ViewOrThrow(ctx, target, req.path_params.at("name")).first));
              }});
  Route save{"PUT",
             "/api/cubes/{cube}/views/{name}",
             "Save a view under a name, replacing one of that name; checked against the cube "
             "(needs some WRITE on the cube, or an admin)",
             true,
             false,
             {},
             true,
             [&ctx](HttpRequest& req, const Principal& p) { return Save(ctx, req, p); }};
  save.commits = true;
  router.Add(std::move(save));
  Route remove{"DELETE",
               "/api/cubes/{cube}/views/{name}",
               "Delete a saved view (needs some WRITE on the cube, or an admin)",
               true,
               false,
               {},
               false,
               [&ctx](HttpRequest& req, const Principal& p) { return Delete(ctx, req, p); }};
  remove.commits = true;
  router.Add(std::move(remove));
  router.Add({"POST",
              "/api/cubes/{cube}/views/{name}/grid",
              "The grid of a saved view, restricted to your grants as POST .../view is; as_of "
              "reads it as of a past sequence",
              true,
              false,
              {"as_of"},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                auto target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
                ViewSpec spec = ViewOrThrow(ctx, target, req.path_params.at("name")).second;
                return GridResponse(ctx, req, p, target.cube, target.access, std::move(spec));
              }});
}

}  // namespace quantatom::server
