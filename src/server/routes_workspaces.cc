// A user's workspace over HTTP: held cells, sandboxes (write, read through,
// commit with a conflict policy, discard) and offline edits merged back
// (docs/writeback.md). Sandboxes and holds are private to their user.
#include <mutex>

#include "server/access_guard.h"

namespace quantatom::server {
namespace {

using security::Access;

json Value(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json ReportJson(const Cube& cube, const MergeReport& r, uint64_t last_sequence) {
  json conflicts = json::array();
  for (const CellConflict& c : r.conflicts)
    conflicts.push_back({{"cell", CellNames(cube, c.cell)},
                         {"base", Value(c.base)},
                         {"mine", Value(c.mine)},
                         {"theirs", Value(c.theirs)},
                         {"result", Value(c.result)},
                         {"sequence", c.sequence},
                         {"user", c.user}});
  return {{"sequence", r.sequence},
          {"refused", r.refused},
          {"cells_applied", r.cells_applied},
          {"conflicts", conflicts},
          {"last_sequence", last_sequence}};
}

ConflictPolicy PolicyOf(const json& body) {
  const std::string name = StringMember(body, "policy", false);
  if (name.empty()) return ConflictPolicy::kRefuse;
  auto p = ParseConflictPolicy(name);
  if (!p)
    throw ApiError(400, "INVALID_ARGUMENT",
                   "'policy': expected \"refuse\", \"mine\", \"theirs\" or \"merge\"");
  return *p;
}

WritebackAccess WriteAccess(std::shared_ptr<const security::CubeAccess> access) {
  WritebackAccess a;
  a.writable = [access](std::span<const MemberId> c) { return access->Cell(c) == Access::kWrite; };
  return a;
}

// ---- holds

// Hold lists change by read, modify, write: one at a time.
std::mutex holds_mu;

std::vector<Coordinate> HeldCells(const json& body, const Cube& cube,
                                  const security::CubeAccess& access, const ServerContext& ctx) {
  const json* cells = Member(body, "cells");
  if (!cells || !cells->is_array())
    throw ApiError(400, "INVALID_ARGUMENT", "'cells': expected an array of cells");
  if (cells->size() > ctx.limits.cells_per_request_max)
    throw ApiError(413, "TOO_MANY_CELLS", "'cells': too many cells");
  std::vector<Coordinate> out;
  for (size_t i = 0; i < cells->size(); ++i) {
    const std::string where = "cells[" + std::to_string(i) + "]";
    const json& names = (*cells)[i];
    if (!names.is_array()) throw ApiError(400, "INVALID_ARGUMENT", where + ": expected names");
    std::vector<std::string> list;
    for (const json& n : names) {
      if (!n.is_string()) throw ApiError(400, "INVALID_ARGUMENT", where + ": expected strings");
      list.push_back(n.get<std::string>());
    }
    auto cell = ResolveVisible(cube, access, list);
    if (!cell.ok()) {
      ApiError e = ErrorOf(cell.status());
      e.message = where + ": " + e.message;
      throw e;
    }
    // What one cannot read, one cannot hold (it would tell a spread apart).
    if (access.Cell(*cell) < Access::kRead)
      throw ApiError(403, "FORBIDDEN", where + ": no read access to this cell");
    out.push_back(std::move(*cell));
  }
  return out;
}

HttpResponse HoldsAnswer(ServerContext& ctx, const Principal& p, const Cube& cube,
                         const security::CubeAccess& access) {
  json holds = json::array();
  for (const Coordinate& c : ctx.db.Holds(p.user, cube.name()))
    if (access.Cell(c) >= Access::kRead) holds.push_back({{"cell", CellNames(cube, c)}});
  return JsonResponse(200, {{"holds", holds}});
}

HttpResponse ChangeHolds(ServerContext& ctx, HttpRequest& req, const Principal& p, bool release) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, release ? std::initializer_list<std::string_view>{"cells", "all"}
                                     : std::initializer_list<std::string_view>{"cells"});
  const bool all = release && BoolMember(body, "all", false);
  std::vector<Coordinate> named;
  if (!all) named = HeldCells(body, *cube, *access, ctx);
  std::lock_guard lock(holds_mu);
  std::vector<Coordinate> holds = ctx.db.Holds(p.user, cube->name());
  if (all) {
    holds.clear();
  } else if (release) {
    std::erase_if(holds, [&](const Coordinate& h) {
      return std::find(named.begin(), named.end(), h) != named.end();
    });
  } else {
    holds.insert(holds.end(), named.begin(), named.end());
  }
  if (holds.size() > ctx.limits.holds_per_cube_max)
    throw ApiError(
        413, "TOO_MANY_HOLDS",
        "at most " + std::to_string(ctx.limits.holds_per_cube_max) + " held cells per cube");
  ThrowIfError(ctx.db.SetHolds(cube->name(), holds, {p.user, ""}).status());
  return HoldsAnswer(ctx, p, *cube, *access);
}

// ---- sandboxes

const std::string& NameOf(const HttpRequest& req) { return req.path_params.at("sandbox"); }

// The principal's sandbox over the cube of the path, or 404.
Sandbox SandboxOrThrow(ServerContext& ctx, const HttpRequest& req, const Principal& p,
                       const Cube& cube) {
  auto s = ctx.db.FindSandbox(p.user, NameOf(req));
  if (!s || FoldCase(s->cube) != FoldCase(cube.name()))
    throw ApiError(404, "NOT_FOUND",
                   "no sandbox '" + NameOf(req) + "' over cube '" + cube.name() + "'");
  return std::move(*s);
}

json SandboxJson(const Sandbox& s) {
  return {{"name", s.name},
          {"cube", s.cube},
          {"base_sequence", s.base_sequence},
          {"cells", s.cells.size()}};
}

HttpResponse ListSandboxes(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  json list = json::array();
  for (const SandboxInfo& s : ctx.db.Sandboxes(p.user))
    if (FoldCase(s.cube) == FoldCase(cube->name()))
      list.push_back({{"name", s.name},
                      {"cube", s.cube},
                      {"base_sequence", s.base_sequence},
                      {"cells", s.cells}});
  return JsonResponse(200, {{"sandboxes", list}});
}

HttpResponse GetSandbox(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  Sandbox s = SandboxOrThrow(ctx, req, p, *cube);
  json cells = json::array();
  const size_t max = ctx.limits.cells_per_request_max;
  for (const auto& [cell, value] : s.cells) {
    if (cells.size() >= max) break;
    if (access->Cell(cell) >= Access::kRead)
      cells.push_back({{"cell", CellNames(*cube, cell)}, {"value", Value(value)}});
  }
  json out = SandboxJson(s);
  out["values"] = cells;
  return JsonResponse(200, out);
}

HttpResponse WriteSandbox(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  ParsedWrite w = ParseWrite(ctx, *cube, *access, req.body);
  RequireWritable(*cube, *access, w.batch);
  if (w.expected_sequence)
    throw ApiError(400, "INVALID_ARGUMENT",
                   "a sandbox write takes no expected_sequence: conflicts are found at commit");
  CommitResult r = ValueOrThrow(
      ctx.db.WriteSandbox(NameOf(req), cube->name(), w.batch, {p.user, w.client_txn_id}));
  return JsonResponse(200, {{"sequence", r.sequence}, {"replayed", r.replayed}});
}

HttpResponse SandboxView(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  SandboxOrThrow(ctx, req, p, *cube);
  json body = ParseJsonObject(req.body);
  body["cube"] = cube->name();
  ViewSpec view = ValueOrThrow(ParseViewJson(body.dump()));
  if (req.query.count("as_of"))
    throw ApiError(400, "INVALID_ARGUMENT", "a sandbox is read as it is now, not as_of");
  const std::string owner = p.user, name = NameOf(req);
  return GridResponse(ctx, req, p, cube, access, std::move(view),
                      [&](const ViewSpec& v) { return ctx.db.QuerySandbox(owner, name, v); });
}

HttpResponse CommitSandbox(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  SandboxOrThrow(ctx, req, p, *cube);
  json body = ParseJsonObject(req.body.empty() ? "{}" : req.body);
  RejectUnknownMembers(body, {"policy", "client_txn_id"});
  const ConflictPolicy policy = PolicyOf(body);
  const std::string id = StringMember(body, "client_txn_id", false);
  std::shared_lock lock(ctx.write_mu);
  MergeReport r =
      ValueOrThrow(ctx.db.CommitSandbox(NameOf(req), policy, {p.user, id}, WriteAccess(access)));
  json answer = ReportJson(*cube, r, ctx.db.last_sequence());
  if (r.refused)
    throw ApiError(409, "CONFLICT",
                   std::to_string(r.conflicts.size()) +
                       " cell(s) changed in the base since the sandbox started; nothing was "
                       "committed",
                   answer);
  return JsonResponse(200, answer);
}

HttpResponse DiscardSandbox(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  SandboxOrThrow(ctx, req, p, *cube);
  CommitResult r = ValueOrThrow(ctx.db.DiscardSandbox(NameOf(req), {p.user, ""}));
  return JsonResponse(200, {{"sequence", r.sequence}});
}

// ---- offline edits

HttpResponse Sync(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  json body = ParseJsonObject(req.body);
  if (!Member(body, "base_sequence"))
    throw ApiError(400, "INVALID_ARGUMENT", "'base_sequence' is required");
  const uint64_t base = UnsignedMember(body, "base_sequence", 0);
  const ConflictPolicy policy = PolicyOf(body);
  body.erase("base_sequence");
  body.erase("policy");
  ParsedWrite w = ParseWrite(ctx, *cube, *access, body.dump());
  RequireWritable(*cube, *access, w.batch);
  std::vector<SandboxCell> edits;
  for (const auto& e : w.batch.entries()) edits.push_back({e.coordinate, e.value});
  std::shared_lock lock(ctx.write_mu);
  auto r = ctx.db.MergeEdits(cube->name(), base, std::move(edits), policy,
                             {p.user, w.client_txn_id}, WriteAccess(access));
  if (!r.ok() && r.status().code() == StatusCode::kNotFound &&
      r.status().message().find("truncated") != std::string::npos)
    throw ApiError(409, "SEQUENCE_TOO_OLD", r.status().message());
  json answer = ReportJson(*cube, ValueOrThrow(std::move(r)), ctx.db.last_sequence());
  if (answer["refused"].get<bool>())
    throw ApiError(409, "CONFLICT", "cells changed on the server since the edits began", answer);
  return JsonResponse(200, answer);
}

void Add(Router& router, const char* method, const char* pattern, const char* summary, bool body,
         bool commits, std::function<HttpResponse(HttpRequest&, const Principal&)> h) {
  Route r{method, pattern, summary, true, false, {}, body, std::move(h)};
  r.commits = commits;
  router.Add(std::move(r));
}

}  // namespace

void AddWorkspaceRoutes(Router& router, ServerContext& ctx) {
  auto bind = [&ctx](HttpResponse (*f)(ServerContext&, HttpRequest&, const Principal&)) {
    return [&ctx, f](HttpRequest& req, const Principal& p) { return f(ctx, req, p); };
  };
  Add(router, "GET", "/api/cubes/{cube}/holds", "The cells you hold on a cube", false, false,
      [&ctx](HttpRequest& req, const Principal& p) {
        auto [cube, access] = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
        return HoldsAnswer(ctx, p, *cube, *access);
      });
  Add(router, "POST", "/api/cubes/{cube}/holds",
      "Hold cells (leaf or consolidated): your spreads leave them alone", true, true,
      [&ctx](HttpRequest& req, const Principal& p) { return ChangeHolds(ctx, req, p, false); });
  Add(router, "POST", "/api/cubes/{cube}/holds/release", "Release held cells, or all of them", true,
      true,
      [&ctx](HttpRequest& req, const Principal& p) { return ChangeHolds(ctx, req, p, true); });
  Add(router, "GET", "/api/cubes/{cube}/sandboxes", "Your sandboxes over a cube", false, false,
      bind(ListSandboxes));
  Add(router, "GET", "/api/cubes/{cube}/sandboxes/{sandbox}",
      "A sandbox of yours and the values it holds", false, false, bind(GetSandbox));
  Add(router, "POST", "/api/cubes/{cube}/sandboxes/{sandbox}/cells",
      "Write leaf cells into a sandbox of yours (made by its first write)", true, true,
      bind(WriteSandbox));
  Add(router, "POST", "/api/cubes/{cube}/sandboxes/{sandbox}/view",
      "A view as it reads through a sandbox of yours", true, false, bind(SandboxView));
  Add(router, "POST", "/api/cubes/{cube}/sandboxes/{sandbox}/commit",
      "Commit a sandbox as one transaction; conflicts by policy (refuse, mine, theirs, merge)",
      true, true, bind(CommitSandbox));
  Add(router, "DELETE", "/api/cubes/{cube}/sandboxes/{sandbox}", "Discard a sandbox of yours",
      false, true, bind(DiscardSandbox));
  Add(router, "POST", "/api/cubes/{cube}/sync",
      "Merge edits made offline from base_sequence, conflicts by policy, as one transaction", true,
      true, bind(Sync));
}

}  // namespace quantatom::server
