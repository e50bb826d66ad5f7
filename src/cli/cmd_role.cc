// role add | delete | list | grant | revoke | assign | unassign: the roles
// of a data directory's server and their grants, scriptable offline like
// `quantatom user` (refused while a server holds the directory).
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "server/auth.h"

namespace quantatom::cli {
namespace {

struct RoleArgs {
  std::string data, role, cube, user, access;
  std::vector<std::string> grants;  // DIMENSION:MEMBER=ACCESS
};

// "Region:East=WRITE": the dimension ends at the first ':', the access
// starts after the last '=', so member names may hold either.
Result<security::MemberGrant> ParseGrant(const std::string& text) {
  size_t colon = text.find(':'), equals = text.rfind('=');
  if (colon == std::string::npos || equals == std::string::npos || equals < colon)
    return Status::Invalid("--member '" + text + "': expected DIMENSION:MEMBER=ACCESS");
  auto access = security::ParseAccess(text.substr(equals + 1));
  if (!access) return Status::Invalid("--member '" + text + "': the access is NONE, READ or WRITE");
  return security::MemberGrant{text.substr(0, colon), text.substr(colon + 1, equals - colon - 1),
                               *access};
}

// The grant checked against the model: the database is opened to know it.
Status Grant(server::Auth& auth, const RoleArgs& a) {
  auto access = security::ParseAccess(a.access);
  if (!access) return Status::Invalid("--access: NONE, READ or WRITE");
  DatabaseOptions options;
  options.create_if_missing = false;
  options.snapshot_every_transactions = 0;
  QA_ASSIGN_OR_RETURN(auto db, Database::Open(a.data, options));
  auto cube = db->FindCube(a.cube);
  if (!cube) return Status::NotFound("unknown cube '" + a.cube + "'");
  security::CubeGrant grant{cube->name(), *access, {}};
  for (const std::string& text : a.grants) {
    QA_ASSIGN_OR_RETURN(auto g, ParseGrant(text));
    grant.members.push_back(std::move(g));
  }
  QA_RETURN_IF_ERROR(security::ValidateCubeGrant(grant, *cube));
  return auth.SetCubeGrant(a.role, std::move(grant));
}

void PrintRoles(const server::Auth& auth) {
  auto users = auth.Users();
  for (const security::Role& role : auth.Policy()->roles()) {
    std::string holders;
    for (const auto& u : users)
      for (const std::string& r : u.roles)
        if (FoldCase(r) == FoldCase(role.name)) holders += (holders.empty() ? "" : ",") + u.name;
    std::printf("%s users=%s\n", role.name.c_str(), holders.c_str());
    for (const security::CubeGrant& c : role.cubes) {
      std::printf("  %s %s\n", c.cube.c_str(), security::AccessName(c.default_access));
      for (const security::MemberGrant& g : c.members)
        std::printf("    %s:%s=%s\n", g.dimension.c_str(), g.member.c_str(),
                    security::AccessName(g.access));
    }
  }
}

}  // namespace

Runner AddRoleCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("role", "Manage the roles of the server of a data directory");
  cmd->require_subcommand(1);
  auto a = std::make_shared<RoleArgs>();
  auto data = [&](CLI::App* sub) {
    sub->add_option("DATA", a->data, "Data directory")->required();
  };
  auto* add = cmd->add_subcommand("add", "Add a role without grants");
  auto* del = cmd->add_subcommand("delete", "Delete a role; its users lose it");
  auto* list = cmd->add_subcommand("list", "List the roles, their users and grants");
  auto* grant = cmd->add_subcommand(
      "grant", "Set a role's access on a cube: a default and member grants (replaces the old)");
  auto* revoke = cmd->add_subcommand("revoke", "Remove a role's grants on a cube");
  auto* assign = cmd->add_subcommand("assign", "Give a user a role");
  auto* unassign = cmd->add_subcommand("unassign", "Take a role from a user");
  for (CLI::App* sub : {add, del, list, grant, revoke, assign, unassign}) data(sub);
  for (CLI::App* sub : {add, del, grant, revoke, assign, unassign})
    sub->add_option("ROLE", a->role, "Role name")->required();
  for (CLI::App* sub : {grant, revoke}) sub->add_option("CUBE", a->cube, "Cube")->required();
  for (CLI::App* sub : {assign, unassign})
    sub->add_option("USER", a->user, "User name")->required();
  grant->add_option("--access", a->access, "Default for members without a grant")->required();
  grant->add_option("--member", a->grants,
                    "DIMENSION:MEMBER=ACCESS, a grant on a member and its descendants "
                    "(repeatable)");
  return [=] {
    auto auth = OpenAuth(a->data);
    if (!auth.ok()) return Fail(auth.status());
    server::Auth& au = **auth;
    Status s;
    if (add->parsed()) s = au.AddRole(a->role);
    if (del->parsed()) s = au.DeleteRole(a->role);
    if (grant->parsed()) s = Grant(au, *a);
    if (revoke->parsed()) s = au.RemoveCubeGrant(a->role, a->cube);
    if (assign->parsed()) s = au.AssignRole(a->user, a->role);
    if (unassign->parsed()) s = au.UnassignRole(a->user, a->role);
    if (!s.ok()) return Fail(s);
    PrintRoles(au);
    return kExitOk;
  };
}

}  // namespace quantatom::cli
