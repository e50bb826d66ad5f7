// One member, and changes to members (admin): add, update (rename, aliases,
// attributes), move, delete; each one logged transaction, with the data
// rule of quantatom/structure.h and the grants kept right
// (structure_editor.h).
#include "server/access_guard.h"
#include "server/structure_answers.h"
#include "server/visible_dimension.h"

namespace quantatom::server {
namespace {

std::vector<ParentLink> ParseParents(const json& body) {
  const json* parents = Member(body, "parents");
  if (!parents) return {};
  if (!parents->is_array())
    throw ApiError(400, "INVALID_ARGUMENT", "'parents': an array of {\"name\", \"weight\"}");
  std::vector<ParentLink> out;
  for (size_t i = 0; i < parents->size(); ++i) {
    const json& link = (*parents)[i];
    const std::string where = "parents[" + std::to_string(i) + "]";
    if (!link.is_object())
      throw ApiError(400, "INVALID_ARGUMENT", where + ": {\"name\", \"weight\"} expected");
    RejectUnknownMembers(link, {"name", "weight"});
    ParentLink parent{StringMember(link, "name", true), 1.0};
    if (const json* w = Member(link, "weight")) {
      if (!w->is_number()) throw ApiError(400, "INVALID_ARGUMENT", where + ".weight: a number");
      parent.weight = w->get<double>();
    }
    out.push_back(std::move(parent));
  }
  return out;
}

std::optional<std::vector<std::string>> ParseAliases(const json& body) {
  const json* aliases = Member(body, "aliases");
  if (!aliases) return std::nullopt;
  if (!aliases->is_array())
    throw ApiError(400, "INVALID_ARGUMENT", "'aliases': an array of names expected");
  std::vector<std::string> out;
  for (const json& a : *aliases) {
    if (!a.is_string() || a.get_ref<const std::string&>().empty())
      throw ApiError(400, "INVALID_ARGUMENT", "'aliases': non-empty names expected");
    out.push_back(a);
  }
  return out;
}

// {"Currency": "EUR", "Headcount": 12, "Old": null}: null removes a value
// (allowed only when `nulls`).
std::vector<std::pair<std::string, std::optional<AttributeValue>>> ParseAttributes(const json& body,
                                                                                   bool nulls) {
  std::vector<std::pair<std::string, std::optional<AttributeValue>>> out;
  const json* attributes = Member(body, "attributes");
  if (!attributes) return out;
  if (!attributes->is_object())
    throw ApiError(400, "INVALID_ARGUMENT", "'attributes': an object expected");
  for (auto& [name, value] : attributes->items()) {
    if (name.empty()) throw ApiError(400, "INVALID_ARGUMENT", "'attributes': an empty name");
    if (value.is_string())
      out.emplace_back(name, AttributeValue(value.get<std::string>()));
    else if (value.is_number())
      out.emplace_back(name, AttributeValue(value.get<double>()));
    else if (value.is_null() && nulls)
      out.emplace_back(name, std::nullopt);
    else
      throw ApiError(400, "INVALID_ARGUMENT",
                     "'attributes." + name + "': a string or a number" +
                         (nulls ? " (null removes it)" : "") + " expected");
  }
  return out;
}

// Commits the change under ctx.structure_mu and answers with the member
// as it is now (unless deleted) and the atoms deleted.
HttpResponse Commit(ServerContext& ctx, const Principal& p, const MemberChange& change,
                    const std::string& member_now, int status) {
  std::lock_guard lock(ctx.structure_mu);
  StructureReport report;
  std::vector<GrantOnMember> grants;
  CommitResult r = StructureResultOrThrow(
      ChangeMember(ctx.db, ctx.auth, change, {p.user, ""}, &report, &grants), report, grants);
  json out = {{"sequence", r.sequence}, {"atoms_deleted", report.atoms}};
  out["cubes"] = AtomsJson(report)["cubes"];
  if (change.kind == MemberChange::Kind::kDelete) {
    out["deleted"] = change.member;
  } else if (auto dim = ctx.db.FindDimension(change.dimension)) {
    VisibleDimension v{dim, std::nullopt};
    if (auto m = dim->Find(member_now)) out["member"] = MemberJson(v, *m);
  }
  return JsonResponse(status, out);
}

HttpResponse Add(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name", "parents", "aliases", "attributes", "delete_data"});
  MemberChange c;
  c.kind = MemberChange::Kind::kAdd;
  c.dimension = req.path_params.at("dim");
  c.member = StringMember(body, "name", true);
  CheckNewName("name", c.member);
  c.parents = ParseParents(body);
  c.aliases = ParseAliases(body);
  c.attributes = ParseAttributes(body, false);
  c.delete_data = BoolMember(body, "delete_data", false);
  return Commit(ctx, p, c, c.member, 201);
}

HttpResponse Update(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"name", "aliases", "attributes"});
  MemberChange c;
  c.kind = MemberChange::Kind::kUpdate;
  c.dimension = req.path_params.at("dim");
  c.member = req.path_params.at("member");
  if (Member(body, "name")) {
    c.new_name = StringMember(body, "name", true);
    CheckNewName("name", *c.new_name);
  }
  c.aliases = ParseAliases(body);
  c.attributes = ParseAttributes(body, true);
  if (!c.new_name && !c.aliases && c.attributes.empty())
    throw ApiError(400, "INVALID_ARGUMENT", "give 'name', 'aliases' or 'attributes'");
  return Commit(ctx, p, c, c.new_name.value_or(c.member), 200);
}

HttpResponse Move(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  json body = ParseJsonObject(req.body);
  RejectUnknownMembers(body, {"parents", "delete_data"});
  if (!Member(body, "parents"))
    throw ApiError(400, "INVALID_ARGUMENT", "'parents' is required ([] makes it a root)");
  MemberChange c;
  c.kind = MemberChange::Kind::kMove;
  c.dimension = req.path_params.at("dim");
  c.member = req.path_params.at("member");
  c.parents = ParseParents(body);
  c.delete_data = BoolMember(body, "delete_data", false);
  return Commit(ctx, p, c, c.member, 200);
}

HttpResponse Delete(ServerContext& ctx, HttpRequest& req, const Principal& p) {
  MemberChange c;
  c.kind = MemberChange::Kind::kDelete;
  c.dimension = req.path_params.at("dim");
  c.member = req.path_params.at("member");
  c.delete_data = BoolQuery(req, "delete_data", false);
  auto children = req.query.find("children");
  if (children != req.query.end()) {
    if (children->second == "orphan")
      c.children = ChildrenOfDeleted::kOrphan;
    else if (children->second != "reparent")
      throw ApiError(400, "INVALID_ARGUMENT", "query parameter 'children': reparent or orphan");
  }
  return Commit(ctx, p, c, c.member, 200);
}

Route Admin(std::string method, std::string pattern, std::string summary,
            std::vector<std::string> query, bool body, Handler handler, int status = 200) {
  Route r{std::move(method),
          std::move(pattern),
          std::move(summary),
          true,
          true,
          std::move(query),
          body,
          std::move(handler),
          status};
  r.commits = true;
  return r;
}

}  // namespace

void AddMemberRoutes(Router& router, ServerContext& ctx) {
  router.Add({"GET",
              "/api/dimensions/{dim}/members/{member}",
              "One member (by name or alias) with its parents, aliases and attributes",
              true,
              false,
              {},
              false,
              [&ctx](HttpRequest& req, const Principal& p) {
                VisibleDimension v = DimensionOrThrow(ctx, p, req.path_params.at("dim"));
                return JsonResponse(200,
                                    MemberJson(v, MemberOrThrow(v, req.path_params.at("member"))));
              }});
  router.Add(Admin(
      "POST", "/api/dimensions/{dim}/members",
      "Add a member under parents with weights (admin); under a leaf holding atoms it needs "
      "delete_data (409 HAS_DATA)",
      {}, true, [&ctx](HttpRequest& req, const Principal& p) { return Add(ctx, req, p); }, 201));
  router.Add(Admin("PATCH", "/api/dimensions/{dim}/members/{member}",
                   "Rename a member, replace its aliases, set or remove attributes (admin); "
                   "grants follow the new name",
                   {}, true,
                   [&ctx](HttpRequest& req, const Principal& p) { return Update(ctx, req, p); }));
  router.Add(Admin("POST", "/api/dimensions/{dim}/members/{member}/move",
                   "Replace a member's parents and weights (admin); cycles are refused", {}, true,
                   [&ctx](HttpRequest& req, const Principal& p) { return Move(ctx, req, p); }));
  router.Add(Admin("DELETE", "/api/dimensions/{dim}/members/{member}",
                   "Delete a member (admin): children reparent (default) or orphan; a leaf "
                   "holding atoms needs delete_data (409 HAS_DATA); 409 HAS_GRANTS while grants "
                   "name it",
                   {"delete_data", "children"}, false,
                   [&ctx](HttpRequest& req, const Principal& p) { return Delete(ctx, req, p); }));
}

}  // namespace quantatom::server
