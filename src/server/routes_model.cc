// The model: cubes, dimensions and member search.

#include "server/access_guard.h"
#include "server/visible_dimension.h"

namespace quantatom::server {
namespace {

// The atom count counts hidden cells too: shown only to whoever reads all.
json CubeJson(const CubeAndAccess& c) {
  json dims = json::array();
  for (const auto& d : c.cube->dimensions()) dims.push_back(d->name());
  json out = {{"name", c.cube->name()}, {"dimensions", dims}};
  if (c.access->AllReadable()) out["atoms"] = c.cube->Stats().atoms;
  return out;
}

json CubesJson(const ServerContext& ctx, const Principal& p) {
  json cubes = json::array();
  for (const CubeAndAccess& c : ReadableCubes(ctx, p)) cubes.push_back(CubeJson(c));
  return cubes;
}

// Every dimension the principal sees a member of, in the order they were
// created (an admin sees them all, in cubes or not).
json DimensionsJson(const ServerContext& ctx, const Principal& p) {
  json dims = json::array();
  for (const std::string& name : ctx.db.DimensionNames()) {
    auto dim = ctx.db.FindDimension(name);
    if (!dim) continue;
    VisibleDimension v{dim, VisibleMembers(ctx, p, *dim)};
    if (v.ShowsAny()) dims.push_back(DimensionJson(v));
  }
  return dims;
}

bool Matches(const Dimension& d, MemberId m, const std::string& folded_search) {
  if (folded_search.empty()) return true;
  if (FoldCase(d.member_name(m)).find(folded_search) != std::string::npos) return true;
  for (const std::string& alias : d.aliases(m))
    if (FoldCase(alias).find(folded_search) != std::string::npos) return true;
  return false;
}

HttpResponse Members(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  VisibleDimension v = DimensionOrThrow(ctx, p, req.path_params.at("dim"));
  const Dimension* dim = v.dim.get();
  auto it = req.query.find("search");
  std::string search = it == req.query.end() ? "" : FoldCase(it->second);
  uint64_t offset = UnsignedQuery(req, "offset", 0);
  uint64_t limit = UnsignedQuery(req, "limit", 100);
  if (limit > ctx.limits.members_per_request_max)
    throw ApiError(413, "LIMIT_EXCEEDED",
                   "limit: at most " + std::to_string(ctx.limits.members_per_request_max));
  json members = json::array();
  size_t matches = 0;
  for (MemberId m = 0; m < dim->size(); ++m) {
    if (!v.Shows(m) || !Matches(*dim, m, search)) continue;
    if (matches >= offset && members.size() < limit) members.push_back(MemberJson(v, m));
    ++matches;
  }
  return JsonResponse(200,
                      {{"dimension", dim->name()}, {"matches", matches}, {"members", members}});
}

}  // namespace

std::shared_ptr<Cube> CubeOrThrow(const Database& db, const std::string& name) {
  auto cube = db.FindCube(name);
  if (!cube) throw ApiError(404, "NOT_FOUND", "unknown cube '" + name + "'");
  return cube;
}

json CellNames(const Cube& cube, std::span<const MemberId> coordinate) {
  json names = json::array();
  for (size_t d = 0; d < coordinate.size() && d < cube.dimensions().size(); ++d)
    names.push_back(cube.dimensions()[d]->member_name(coordinate[d]));
  return names;
}

void AddModelRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/model",
              "Cubes, dimensions and the last committed sequence",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                // Read first: the lists below reflect at least this sequence.
                uint64_t sequence = ctx.db.last_sequence();
                return JsonResponse(200, {{"last_sequence", sequence},
                                          {"cubes", CubesJson(ctx, p)},
                                          {"dimensions", DimensionsJson(ctx, p)}});
              }});
  router.Add({"GET",
              "/api/dimensions",
              "Every dimension of the model",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                return JsonResponse(200, {{"dimensions", DimensionsJson(ctx, p)}});
              }});
  router.Add({"GET",
              "/api/dimensions/{dim}",
              "One dimension",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                return JsonResponse(
                    200, DimensionJson(DimensionOrThrow(ctx, p, req.path_params.at("dim"))));
              }});
  router.Add({"GET",
              "/api/dimensions/{dim}/members",
              "Members in dimension order; search matches names and aliases, ignoring case",
              true,
              false,
              {"search", "offset", "limit"},
              false,
              [&ctx](HttpRequest& req, const Principal& p) { return Members(ctx, req, p); }});
  router.Add({"GET",
              "/api/cubes",
              "The cubes you may read, with their dimensions and atom counts",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal& p) {
                return JsonResponse(200, {{"cubes", CubesJson(ctx, p)}});
              }});
  router.Add({"GET",
              "/api/cubes/{cube}",
              "One cube",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                return JsonResponse(
                    200, CubeJson(ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"))));
              }});
}

}  // namespace quantatom::server
