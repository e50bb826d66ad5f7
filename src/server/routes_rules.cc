// A cube's rules (docs/rules.md): GET shows the text and a summary of each
// rule, PUT replaces them as one logged transaction. Rules compute cells
// for everyone and read whatever they name, so reading the text takes READ
// on every cell of the cube, and saving it takes WRITE on every cell of the
// cube and READ on every cell of each cube the rules read (or an admin): a
// rule cannot carry data its writer may not read into cells others read.
#include <regex>

#include "rules/inspect.h"
#include "server/access_guard.h"
#include "server/structure_answers.h"

namespace quantatom::server {
namespace {

json SummaryJson(const std::vector<RuleSummary>& rules) {
  json out = json::array();
  for (const RuleSummary& r : rules)
    out.push_back({{"line", r.line},
                   {"kind", r.kind},
                   {"target", r.target},
                   {"derived_atoms", r.derived_atoms}});
  return out;
}

HttpResponse Get(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  if (!target.access->AllReadable())
    throw ApiError(403, "FORBIDDEN",
                   "reading the rules of cube '" + target.cube->name() +
                       "' needs read access to all of its cells");
  auto rules = ctx.db.Rules(target.cube->name());
  json out = {{"cube", target.cube->name()},
              {"text", rules ? rules->text : ""},
              {"user", rules ? rules->user : ""},
              {"sequence", rules ? rules->sequence : 0},
              {"rules", SummaryJson(ctx.db.DescribeRules(target.cube->name()))}};
  return JsonResponse(200, out);
}

void RequireRulesWriter(ServerContext& ctx, const Principal& p, const CubeAndAccess& target,
                        const std::string& text) {
  if (p.admin) return;
  if (!target.access->AllWritable())
    throw ApiError(403, "FORBIDDEN",
                   "saving the rules of cube '" + target.cube->name() +
                       "' needs write access to all of its cells");
  for (const std::string& name : rules::CubesNamedIn(text)) {
    auto cube = ctx.db.FindCube(name);
    if (!cube) continue;  // unknown: the check below says so
    if (!AccessOf(ctx, p, *cube)->AllReadable())
      throw ApiError(
          403, "FORBIDDEN",
          "the rules read cube '" + name + "'; saving them needs read access to all of its cells");
  }
}

// A refusal of the text: 400 (syntax, names, types), 422 (a cycle, two
// rules on one cell), with the place and its line with a caret.
[[noreturn]] void ThrowRulesError(const Status& status) {
  ApiError e = ErrorOf(status);
  static const std::regex kPlace(R"(^line (\d+), column (\d+): )");
  std::smatch m;
  const std::string& message = status.message();
  if (std::regex_search(message, m, kPlace)) {
    e.details["line"] = std::stoul(m[1]);
    e.details["column"] = std::stoul(m[2]);
    if (size_t nl = message.find('\n'); nl != std::string::npos)
      e.details["excerpt"] = message.substr(nl + 1);
  }
  throw e;
}

HttpResponse Put(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  CubeAndAccess target = ReadableCubeOrThrow(ctx, p, req.path_params.at("cube"));
  std::string text;
  bool delete_data = BoolQuery(req, "delete_data", false);
  if (req.content_type.rfind("text/plain", 0) == 0) {
    text = req.body;
  } else {
    json body = ParseJsonObject(req.body);
    RejectUnknownMembers(body, {"text", "delete_data"});
    text = StringMember(body, "text", true);
    delete_data = BoolMember(body, "delete_data", delete_data);
  }
  RequireRulesWriter(ctx, p, target, text);
  StructureReport report;
  std::lock_guard lock(ctx.structure_mu);
  auto result = ctx.db.SetRules(target.cube->name(), text, delete_data, {p.user, ""}, &report);
  if (!result.ok() && result.status().code() != StatusCode::kConflict)
    ThrowRulesError(result.status());
  CommitResult r = StructureResultOrThrow(std::move(result), report, {}, "HAS_DATA");
  return JsonResponse(200, {{"sequence", r.sequence},
                            {"cube", target.cube->name()},
                            {"atoms_deleted", report.atoms},
                            {"rules", SummaryJson(ctx.db.DescribeRules(target.cube->name()))}});
}

}  // namespace

void AddRuleRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/cubes/{cube}/rules",
              "The rules of a cube: their text and each rule's kind, cells and derived atoms "
              "(needs READ on every cell of the cube)",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) { return Get(ctx, req, p); }});
  Route put{"PUT",
            "/api/cubes/{cube}/rules",
            "Replace the rules of a cube (docs/rules.md; JSON {text, delete_data} or text/plain): "
            "400 with line, column and a caret for a syntax or name error, 422 naming a circular "
            "dependency, 409 HAS_DATA when stored atoms lie in cells they compute (admins, or "
            "WRITE on every cell of the cube and READ on every cube they read)",
            true,
            false,
            {"delete_data"},
            true,
            [&ctx](HttpRequest& req, const Principal& p) { return Put(ctx, req, p); }};
  put.commits = true;
  router.Add(std::move(put));
}

}  // namespace quantatom::server
