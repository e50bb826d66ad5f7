// A dimension as one principal sees it: the members its grants let it see
// (docs/design/server.md, "Roles and grants"), and their JSON.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/routes.h"

namespace quantatom::server {

struct VisibleDimension {
  std::shared_ptr<const Dimension> dim;
  std::optional<std::vector<bool>> visible;  // nullopt: every member

  // Deleted members are never shown.
  bool Shows(MemberId m) const { return !dim->deleted(m) && (!visible || (*visible)[m]); }
  bool ShowsAny() const;
};

// The dimension named in a path; 404 NOT_FOUND also for one of which the
// principal sees no member.
VisibleDimension DimensionOrThrow(const ServerContext& ctx, const Principal& p,
                                  const std::string& name);
// The member named (by name or alias) in a path; 404 NOT_FOUND, with the
// same message, for one that does not exist and one the principal cannot see.
MemberId MemberOrThrow(const VisibleDimension& v, const std::string& name);

// {"name", "members", "leaves", "max_level", "roots"}: counts of what is shown.
json DimensionJson(const VisibleDimension& v);
// {"name", "aliases", "leaf", "level", "depth", "parents": [{"name", "weight"}],
//  "attributes": {name: value}}: parents shown only when visible.
json MemberJson(const VisibleDimension& v, MemberId m);

}  // namespace quantatom::server
