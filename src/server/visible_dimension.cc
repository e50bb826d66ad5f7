#include "server/visible_dimension.h"

#include <algorithm>

#include "server/access_guard.h"

namespace quantatom::server {

bool VisibleDimension::ShowsAny() const {
  return !visible || std::find(visible->begin(), visible->end(), true) != visible->end();
}

VisibleDimension DimensionOrThrow(const ServerContext& ctx, const Principal& p,
                                  const std::string& name) {
  auto dim = ctx.db.FindDimension(name);
  VisibleDimension v{dim, dim ? VisibleMembers(ctx, p, *dim) : std::nullopt};
  if (!dim || !v.ShowsAny()) throw ApiError(404, "NOT_FOUND", "unknown dimension '" + name + "'");
  return v;
}

MemberId MemberOrThrow(const VisibleDimension& v, const std::string& name) {
  auto m = v.dim->Find(name);
  if (!m || !v.Shows(*m))
    throw ApiError(404, "NOT_FOUND",
                   "unknown member '" + name + "' of dimension '" + v.dim->name() + "'");
  return *m;
}

json DimensionJson(const VisibleDimension& v) {
  const Dimension& d = *v.dim;
  json roots = json::array();
  for (MemberId r : d.roots())
    if (v.Shows(r)) roots.push_back(d.member_name(r));
  size_t members = 0, leaves = 0;
  for (MemberId m = 0; m < d.size(); ++m) {
    members += v.Shows(m);
    leaves += v.Shows(m) && d.is_leaf(m);
  }
  return {{"name", d.name()},
          {"members", members},
          {"leaves", leaves},
          {"max_level", d.max_level()},
          {"roots", roots}};
}

json MemberJson(const VisibleDimension& v, MemberId m) {
  const Dimension& d = *v.dim;
  json aliases = json::array(), parents = json::array(), attributes = json::object();
  for (const std::string& a : d.aliases(m)) aliases.push_back(a);
  for (const WeightedLink& p : d.parents(m))
    if (v.Shows(p.member))
      parents.push_back({{"name", d.member_name(p.member)}, {"weight", p.weight}});
  for (size_t a = 0; a < d.attribute_names().size(); ++a) {
    const auto& value = d.attribute(m, a);
    if (!value) continue;
    if (const auto* text = std::get_if<std::string>(&*value))
      attributes[d.attribute_names()[a]] = *text;
    else
      attributes[d.attribute_names()[a]] = std::get<double>(*value);
  }
  return {{"name", d.member_name(m)}, {"aliases", aliases},  {"leaf", d.is_leaf(m)},
          {"level", d.level(m)},      {"depth", d.depth(m)}, {"parents", parents},
          {"attributes", attributes}};
}

}  // namespace quantatom::server
