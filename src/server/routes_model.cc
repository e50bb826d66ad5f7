// The model: cubes, dimensions and member search.

#include "server/routes.h"

namespace quantatom::server {
namespace {

json CubeJson(const Cube& cube) {
  json dims = json::array();
  for (const auto& d : cube.dimensions()) dims.push_back(d->name());
  return {{"name", cube.name()}, {"dimensions", dims}, {"atoms", cube.Stats().atoms}};
}

json DimensionJson(const Dimension& d) {
  json roots = json::array();
  for (MemberId r : d.roots()) roots.push_back(d.member_name(r));
  return {{"name", d.name()},
          {"members", d.size()},
          {"leaves", d.leaf_count()},
          {"max_level", d.max_level()},
          {"roots", roots}};
}

std::vector<std::shared_ptr<Cube>> Cubes(const Database& db) {
  std::vector<std::shared_ptr<Cube>> out;
  for (const std::string& name : db.CubeNames())
    if (auto cube = db.FindCube(name)) out.push_back(std::move(cube));
  return out;
}

// Every dimension, in cubes or not, in the order they were created.
std::vector<std::shared_ptr<const Dimension>> Dimensions(const Database& db) {
  std::vector<std::shared_ptr<const Dimension>> out;
  for (const std::string& name : db.DimensionNames())
    if (auto dim = db.FindDimension(name)) out.push_back(std::move(dim));
  return out;
}

std::shared_ptr<const Dimension> DimensionOrThrow(const Database& db, const std::string& name) {
  auto dim = db.FindDimension(name);
  if (!dim) throw ApiError(404, "NOT_FOUND", "unknown dimension '" + name + "'");
  return dim;
}

bool Matches(const Dimension& d, MemberId m, const std::string& folded_search) {
  if (folded_search.empty()) return true;
  if (FoldCase(d.member_name(m)).find(folded_search) != std::string::npos) return true;
  for (const std::string& alias : d.aliases(m))
    if (FoldCase(alias).find(folded_search) != std::string::npos) return true;
  return false;
}

json MemberJson(const Dimension& d, MemberId m) {
  json aliases = json::array(), parents = json::array();
  for (const std::string& a : d.aliases(m)) aliases.push_back(a);
  for (const WeightedLink& p : d.parents(m))
    parents.push_back({{"name", d.member_name(p.member)}, {"weight", p.weight}});
  return {{"name", d.member_name(m)}, {"aliases", aliases},  {"leaf", d.is_leaf(m)},
          {"level", d.level(m)},      {"depth", d.depth(m)}, {"parents", parents}};
}

HttpResponse Members(ServerContext& ctx, HttpRequest& req) {
  auto dim = DimensionOrThrow(ctx.db, req.path_params.at("dim"));
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
    if (!Matches(*dim, m, search)) continue;
    if (matches >= offset && members.size() < limit) members.push_back(MemberJson(*dim, m));
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
              [&ctx](HttpRequest&, const Principal&) {
                // Read first: the lists below reflect at least this sequence.
                uint64_t sequence = ctx.db.last_sequence();
                json cubes = json::array(), dims = json::array();
                for (const auto& c : Cubes(ctx.db)) cubes.push_back(CubeJson(*c));
                for (const auto& d : Dimensions(ctx.db)) dims.push_back(DimensionJson(*d));
                return JsonResponse(
                    200, {{"last_sequence", sequence}, {"cubes", cubes}, {"dimensions", dims}});
              }});
  router.Add({"GET",
              "/api/dimensions",
              "Every dimension of the model",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal&) {
                json dims = json::array();
                for (const auto& d : Dimensions(ctx.db)) dims.push_back(DimensionJson(*d));
                return JsonResponse(200, {{"dimensions", dims}});
              }});
  router.Add({"GET",
              "/api/dimensions/{dim}",
              "One dimension",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                return JsonResponse(
                    200, DimensionJson(*DimensionOrThrow(ctx.db, req.path_params.at("dim"))));
              }});
  router.Add({"GET",
              "/api/dimensions/{dim}/members",
              "Members in dimension order; search matches names and aliases, ignoring case",
              true,
              false,
              {"search", "offset", "limit"},
              false,
              [&ctx](HttpRequest& req, const Principal&) { return Members(ctx, req); }});
  router.Add({"GET",
              "/api/cubes",
              "The cubes with their dimensions and atom counts",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest&, const Principal&) {
                json cubes = json::array();
                for (const auto& c : Cubes(ctx.db)) cubes.push_back(CubeJson(*c));
                return JsonResponse(200, {{"cubes", cubes}});
              }});
  router.Add({"GET",
              "/api/cubes/{cube}",
              "One cube",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal&) {
                return JsonResponse(200,
                                    CubeJson(*CubeOrThrow(ctx.db, req.path_params.at("cube"))));
              }});
}

}  // namespace quantatom::server
