// rules: show a cube's rules, or replace them from a file (docs/rules.md),
// as one logged transaction of a data directory.
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "quantatom/database.h"

namespace quantatom::cli {

Runner AddRulesCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "rules",
      "Show the rules of a cube, or replace them from a file (--set; an empty file "
      "removes them)");
  auto data = std::make_shared<std::string>();
  auto cube = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>("cli");
  auto delete_data = std::make_shared<bool>(false);
  cmd->add_option("DATA", *data, "Data directory")->required();
  cmd->add_option("--cube", *cube, "The cube")->required();
  cmd->add_option("--set", *file, "A rules file to replace the cube's rules with");
  cmd->add_flag("--delete-data", *delete_data,
                "With --set: delete stored atoms in cells the rules compute (logged)");
  cmd->add_option("--user", *user, "User recorded in the log")->capture_default_str();
  return [=] {
    auto db = OpenExisting(*data);
    if (!db.ok()) return Fail(db.status());
    if (!file->empty()) {
      auto text = ReadTextFile(*file);
      if (!text.ok()) return Fail(text.status());
      StructureReport report;
      auto set = (*db)->SetRules(*cube, *text, *delete_data, {*user, ""}, &report);
      if (!set.ok()) {
        const Status& s = set.status();
        return Fail(Status(s.code(), *file + ": " + s.message()));
      }
      std::printf("rules of cube %s set as transaction %llu", cube->c_str(),
                  static_cast<unsigned long long>(set->sequence));
      if (report.atoms) std::printf(", %zu stored atoms deleted", report.atoms);
      std::printf("\n");
    }
    auto found = (*db)->FindCube(*cube);
    if (!found) return Fail(Status::NotFound("unknown cube '" + *cube + "'"));
    auto rules = (*db)->Rules(found->name());
    if (!rules) {
      std::printf("cube %s has no rules\n", found->name().c_str());
      return kExitOk;
    }
    if (file->empty())
      std::printf("%s%s", rules->text.c_str(), rules->text.ends_with('\n') ? "" : "\n");
    for (const RuleSummary& r : (*db)->DescribeRules(found->name()))
      std::printf("line %zu: %s rule %s%s\n", r.line, r.kind.c_str(), r.target.c_str(),
                  r.kind == "leaf"
                      ? (", " + std::to_string(r.derived_atoms) + " derived atoms").c_str()
                      : "");
    return kExitOk;
  };
}

}  // namespace quantatom::cli
