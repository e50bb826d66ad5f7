// dimension create|delete, cube create|delete, member add|rename|move|delete:
// structure changes of a data directory, each one logged transaction, with
// the grants of its server's roles kept right (server/structure_editor.h).
// Like `quantatom role`, refused while a server holds the directory.
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "server/member_list.h"
#include "server/structure_editor.h"

namespace quantatom::cli {
namespace {

struct StructureArgs {
  std::string data, user = "cli", name, dimension, member, new_name;
  std::string csv_file, members_file, children = "reparent";
  std::vector<std::string> dimensions, parents, aliases, attrs, nums, unset;
  bool delete_data = false, no_aliases = false;
};

// The data directory with its server's roles: both locked for this process.
struct Opened {
  std::unique_ptr<server::Auth> auth;
  std::unique_ptr<Database> db;
};

Result<Opened> OpenData(const std::string& data) {
  Opened o;
  QA_ASSIGN_OR_RETURN(o.auth, OpenAuth(data));
  DatabaseOptions options;
  options.create_if_missing = false;
  options.snapshot_every_transactions = 0;
  QA_ASSIGN_OR_RETURN(o.db, Database::Open(data, options));
  return o;
}

Result<double> Number(const std::string& text, const std::string& what) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return Status::Invalid(what + ": '" + text + "' is not a number");
  return v;
}

// "Parent" or "Parent=WEIGHT" (the weight after the last '=').
Result<std::vector<ParentLink>> Parents(const std::vector<std::string>& texts) {
  std::vector<ParentLink> out;
  for (const std::string& t : texts) {
    size_t eq = t.rfind('=');
    if (eq == std::string::npos) {
      out.push_back({t, 1.0});
      continue;
    }
    QA_ASSIGN_OR_RETURN(double w, Number(t.substr(eq + 1), "--parent " + t));
    out.push_back({t.substr(0, eq), w});
  }
  return out;
}

// --attr NAME=TEXT, --num NAME=NUMBER, --unset NAME.
Status Attributes(const StructureArgs& a, MemberChange& c) {
  auto split = [](const std::string& t) -> Result<std::pair<std::string, std::string>> {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::Invalid("'" + t + "': NAME=VALUE expected");
    return std::pair{t.substr(0, eq), t.substr(eq + 1)};
  };
  for (const std::string& t : a.attrs) {
    QA_ASSIGN_OR_RETURN(auto kv, split(t));
    c.attributes.emplace_back(kv.first, AttributeValue(kv.second));
  }
  for (const std::string& t : a.nums) {
    QA_ASSIGN_OR_RETURN(auto kv, split(t));
    QA_ASSIGN_OR_RETURN(double v, Number(kv.second, "--num " + t));
    c.attributes.emplace_back(kv.first, AttributeValue(v));
  }
  for (const std::string& name : a.unset) c.attributes.emplace_back(name, std::nullopt);
  return Status::Ok();
}

void PrintOutcome(const char* what, const CommitResult& r, const StructureReport& report) {
  std::printf("%s at sequence %llu", what, static_cast<unsigned long long>(r.sequence));
  if (report.atoms > 0) {
    std::printf("; %zu atoms deleted (", report.atoms);
    for (size_t i = 0; i < report.atoms_by_cube.size(); ++i)
      std::printf("%s%s: %zu", i ? ", " : "", report.atoms_by_cube[i].first.c_str(),
                  report.atoms_by_cube[i].second);
    std::printf(")");
  }
  std::printf("\n");
}

// A refusal for grants lists them, so the admin knows what to change.
int FailChange(const Status& s, const std::vector<server::GrantOnMember>& grants) {
  for (const auto& g : grants)
    std::fprintf(stderr, "  grant of role %s on cube %s names %s\n", g.role.c_str(), g.cube.c_str(),
                 g.member.c_str());
  return Fail(s);
}

int RunMember(const StructureArgs& a, MemberChange::Kind kind) {
  MemberChange c;
  c.kind = kind;
  c.dimension = a.dimension;
  c.member = a.member;
  c.delete_data = a.delete_data;
  auto parents = Parents(a.parents);
  if (!parents.ok()) return Fail(parents.status());
  c.parents = std::move(*parents);
  if (!a.aliases.empty() || a.no_aliases) c.aliases = a.aliases;
  if (Status s = Attributes(a, c); !s.ok()) return Fail(s);
  if (kind == MemberChange::Kind::kUpdate) {
    if (!a.new_name.empty()) c.new_name = a.new_name;
    if (!c.new_name && !c.aliases && c.attributes.empty())
      return Fail(
          Status::Invalid("give a NEW_NAME, --alias, --no-aliases, --attr, --num or --unset"));
  }
  if (kind == MemberChange::Kind::kDelete) {
    if (a.children != "reparent" && a.children != "orphan")
      return Fail(Status::Invalid("--children: reparent or orphan"));
    c.children = a.children == "orphan" ? ChildrenOfDeleted::kOrphan : ChildrenOfDeleted::kReparent;
  }
  auto opened = OpenData(a.data);
  if (!opened.ok()) return Fail(opened.status());
  StructureReport report;
  std::vector<server::GrantOnMember> grants;
  auto r = server::ChangeMember(*opened->db, *opened->auth, c, {a.user, ""}, &report, &grants);
  if (!r.ok()) return FailChange(r.status(), grants);
  const std::string what = std::string("member ") + MemberChangeKindName(kind) + " '" + a.member +
                           "' of dimension '" + a.dimension + "'";
  PrintOutcome(what.c_str(), *r, report);
  return kExitOk;
}

int RunDimensionCreate(const StructureArgs& a) {
  if (a.csv_file.empty() == a.members_file.empty())
    return Fail(Status::Invalid("give either --csv FILE or --members FILE"));
  std::string csv;
  if (!a.csv_file.empty()) {
    auto text = ReadTextFile(a.csv_file);
    if (!text.ok()) return Fail(text.status());
    csv = std::move(*text);
  } else {
    auto text = ReadTextFile(a.members_file);
    if (!text.ok()) return Fail(text.status());
    auto members = nlohmann::json::parse(*text, nullptr, false);
    if (members.is_discarded())
      return Fail(Status::Invalid(a.members_file + ": not JSON (a member list is expected)"));
    auto converted = server::MemberListCsv(members, SIZE_MAX);
    if (!converted.ok()) return Fail(converted.status());
    csv = std::move(*converted);
  }
  auto opened = OpenData(a.data);
  if (!opened.ok()) return Fail(opened.status());
  auto r = opened->db->CreateDimension(a.name, csv, {a.user, ""});
  if (!r.ok()) return Fail(r.status());
  auto dim = opened->db->FindDimension(a.name);
  std::printf("dimension '%s' created at sequence %llu: %zu members, %zu leaves\n", a.name.c_str(),
              static_cast<unsigned long long>(r->sequence), dim->member_count(), dim->leaf_count());
  return kExitOk;
}

}  // namespace

Runner AddDimensionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("dimension", "Create or delete a dimension of a data directory");
  cmd->require_subcommand(1);
  auto a = std::make_shared<StructureArgs>();
  auto* create = cmd->add_subcommand("create", "Create a dimension from its CSV or a JSON list");
  auto* del = cmd->add_subcommand("delete", "Delete a dimension no cube uses");
  for (CLI::App* sub : {create, del}) {
    sub->add_option("DATA", a->data, "Data directory")->required();
    sub->add_option("NAME", a->name, "Dimension")->required();
    sub->add_option("--user", a->user, "User recorded in the log")->capture_default_str();
  }
  create->add_option("--csv", a->csv_file, "The dimension CSV (docs/formats.md)");
  create->add_option("--members", a->members_file,
                     "A JSON member list: [{\"name\", \"parents\": [{\"name\", \"weight\"}], "
                     "\"aliases\", \"attributes\"}]");
  return [=] {
    if (create->parsed()) return RunDimensionCreate(*a);
    auto opened = OpenData(a->data);
    if (!opened.ok()) return Fail(opened.status());
    auto r = opened->db->DeleteDimension(a->name, {a->user, ""});
    if (!r.ok()) return Fail(r.status());
    std::printf("dimension '%s' deleted at sequence %llu\n", a->name.c_str(),
                static_cast<unsigned long long>(r->sequence));
    return kExitOk;
  };
}

Runner AddCubeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("cube", "Create or delete a cube of a data directory");
  cmd->require_subcommand(1);
  auto a = std::make_shared<StructureArgs>();
  auto* create = cmd->add_subcommand("create", "Create a cube over dimensions");
  auto* del = cmd->add_subcommand("delete", "Delete a cube, its saved views and grants on it");
  for (CLI::App* sub : {create, del}) {
    sub->add_option("DATA", a->data, "Data directory")->required();
    sub->add_option("NAME", a->name, "Cube")->required();
    sub->add_option("--user", a->user, "User recorded in the log")->capture_default_str();
  }
  create->add_option("DIMENSIONS", a->dimensions, "Its dimensions, in order")->required();
  del->add_flag("--delete-data", a->delete_data, "Delete it even though it holds atoms");
  return [=] {
    auto opened = OpenData(a->data);
    if (!opened.ok()) return Fail(opened.status());
    StructureReport report;
    auto r = create->parsed() ? server::CreateCube(*opened->db, *opened->auth, a->name,
                                                   a->dimensions, {a->user, ""})
                              : server::DeleteCube(*opened->db, *opened->auth, a->name,
                                                   a->delete_data, {a->user, ""}, &report);
    if (!r.ok()) return Fail(r.status());
    const std::string what = "cube '" + a->name + "' " + (create->parsed() ? "created" : "deleted");
    PrintOutcome(what.c_str(), *r, report);
    return kExitOk;
  };
}

Runner AddMemberCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("member", "Add, rename, move or delete a member of a dimension");
  cmd->require_subcommand(1);
  auto a = std::make_shared<StructureArgs>();
  auto* add = cmd->add_subcommand("add", "Add a member under parents (none: a root)");
  auto* rename = cmd->add_subcommand(
      "rename", "Rename a member, replace its aliases, set or remove attributes");
  auto* move = cmd->add_subcommand("move", "Replace a member's parents (none: it becomes a root)");
  auto* del = cmd->add_subcommand("delete", "Delete a member");
  for (CLI::App* sub : {add, rename, move, del}) {
    sub->add_option("DATA", a->data, "Data directory")->required();
    sub->add_option("DIMENSION", a->dimension, "Dimension")->required();
    sub->add_option("MEMBER", a->member, "Member (name or alias; for add the new name)")
        ->required();
    sub->add_option("--user", a->user, "User recorded in the log")->capture_default_str();
  }
  rename->add_option("NEW_NAME", a->new_name, "Its new name");
  for (CLI::App* sub : {add, move})
    sub->add_option("--parent", a->parents, "PARENT or PARENT=WEIGHT (repeatable; default 1)");
  for (CLI::App* sub : {add, rename}) {
    sub->add_option("--alias", a->aliases, "An alias (repeatable; rename: replaces them all)");
    sub->add_option("--attr", a->attrs, "NAME=TEXT, a text attribute (repeatable)");
    sub->add_option("--num", a->nums, "NAME=NUMBER, a numeric attribute (repeatable)");
  }
  rename->add_flag("--no-aliases", a->no_aliases, "Remove every alias");
  rename->add_option("--unset", a->unset, "Remove the member's value of an attribute");
  for (CLI::App* sub : {add, move, del})
    sub->add_flag("--delete-data", a->delete_data,
                  "Delete the atoms of a leaf that stops being one (logged)");
  del->add_option("--children", a->children,
                  "reparent (default: the children take its place, totals keep their value) or "
                  "orphan")
      ->capture_default_str();
  return [=] {
    if (add->parsed()) return RunMember(*a, MemberChange::Kind::kAdd);
    if (rename->parsed()) return RunMember(*a, MemberChange::Kind::kUpdate);
    if (move->parsed()) return RunMember(*a, MemberChange::Kind::kMove);
    return RunMember(*a, MemberChange::Kind::kDelete);
  };
}

}  // namespace quantatom::cli
