// Writeback on a data directory: spread, copy, clear, allocate
// (docs/writeback.md). Each is one logged transaction.
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"

namespace quantatom::cli {
namespace {

struct Target {
  std::string data, cube;
  std::string user = std::getenv("USER") ? std::getenv("USER") : "cli";
};

void AddTargetOptions(CLI::App* cmd, Target& t) {
  cmd->add_option("DATA", t.data, "Data directory")->required();
  cmd->add_option("--cube", t.cube, "Cube to change")->required();
  cmd->add_option("--user", t.user, "User recorded in the log");
}

// Opens the data directory and runs `op` on it; prints the transaction.
int Run(const Target& t, const std::function<Result<CommitResult>(Database&, const Cube&)>& op) {
  DatabaseOptions options;
  options.create_if_missing = false;
  auto db = Database::Open(t.data, options);
  if (!db.ok()) return Fail(db.status());
  auto cube = (*db)->FindCube(t.cube);
  if (!cube) return Fail(Status::NotFound("unknown cube '" + t.cube + "'"));
  auto r = op(**db, *cube);
  if (!r.ok()) return Fail(r.status());
  std::printf("committed transaction %llu: %zu atoms changed\n",
              static_cast<unsigned long long>(r->sequence), r->atoms_changed);
  return kExitOk;
}

Result<std::vector<Coordinate>> Cells(const Cube& cube, const std::vector<std::string>& specs,
                                      const std::string& option) {
  std::vector<Coordinate> out;
  for (const std::string& s : specs) {
    QA_ASSIGN_OR_RETURN(Coordinate c, ParseCellNames(cube, s, option));
    out.push_back(std::move(c));
  }
  return out;
}

struct SpreadArgs {
  Target target;
  std::vector<std::string> cells, holds, reference;
  std::string expression, method, action = "replace", reference_cube;
  double value = 0, value2 = 0;
  bool all_leaves = false;
  int decimals = -1;
};

Result<SpreadSpec> SpecOf(const SpreadArgs& a) {
  SpreadSpec spec;
  if (!a.expression.empty()) {
    QA_ASSIGN_OR_RETURN(SpreadExpression e, ParseSpreadExpression(a.expression));
    if (e.directions.any())
      return Status::Invalid("--expression: directions need a view; give the range with --cell");
    spec = e.spec;
  } else {
    auto m = ParseSpreadMethodName(a.method);
    if (!m) return Status::Invalid("--method: unknown spread method '" + a.method + "'");
    spec.method = *m;
    spec.value = a.value;
    spec.value2 = a.value2;
    if (a.action == "add")
      spec.action = SpreadAction::kAdd;
    else if (a.action == "subtract")
      spec.action = SpreadAction::kSubtract;
    else if (a.action != "replace")
      return Status::Invalid("--action: expected replace, add or subtract");
  }
  spec.all_leaves = a.all_leaves;
  spec.decimals = a.decimals;
  if (!a.reference.empty()) {
    QA_ASSIGN_OR_RETURN(auto members, ParseChoices(a.reference, "--reference"));
    spec.reference = SpreadReference{a.reference_cube, std::move(members)};
  }
  return spec;
}

}  // namespace

Runner AddSpreadCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "spread", "Spread a value onto cells (leaf or consolidated) with a TM1 spreading method");
  auto a = std::make_shared<SpreadArgs>();
  AddTargetOptions(cmd, a->target);
  cmd->add_option("--cell", a->cells, "MEMBER,MEMBER,... a target cell; repeat for a range")
      ->required();
  auto* expr = cmd->add_option("--expression", a->expression,
                               "TM1 shorthand: P100, S+200, R~50, P%10, SL100:200, GR300:25, C");
  auto* method = cmd->add_option(
      "--method", a->method,
      "proportional, equal, repeat, percent_change, straight_line, growth, relative_proportional, "
      "relative_percent, equal_leaves, repeat_leaves, clear");
  expr->excludes(method);
  cmd->add_option("--value", a->value, "The value (percentage, start value)");
  cmd->add_option("--value2", a->value2, "Straight line: end value; growth: percentage");
  cmd->add_option("--action", a->action, "replace, add or subtract")->capture_default_str();
  cmd->add_option("--hold", a->holds, "MEMBER,MEMBER,... a held cell; repeatable");
  cmd->add_option("--reference", a->reference,
                  "DIMENSION=MEMBER of the reference cell (relative methods); repeatable");
  cmd->add_option("--reference-cube", a->reference_cube, "Cube of the reference cell");
  cmd->add_flag("--all-leaves", a->all_leaves,
                "Equal/repeat leaves: every leaf, not only populated");
  cmd->add_option("--decimals", a->decimals, "Round leaves to this many decimals");
  return [=] {
    if (a->expression.empty() && a->method.empty())
      return Fail(Status::Invalid("give --expression or --method"));
    return Run(a->target, [&](Database& db, const Cube& cube) -> Result<CommitResult> {
      SpreadRequest r;
      QA_ASSIGN_OR_RETURN(r.spec, SpecOf(*a));
      QA_ASSIGN_OR_RETURN(r.cells, Cells(cube, a->cells, "--cell"));
      QA_ASSIGN_OR_RETURN(r.holds, Cells(cube, a->holds, "--hold"));
      return db.Spread(cube.name(), r, {a->target.user, ""});
    });
  };
}

Runner AddCopyCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("copy", "Copy a slice onto another: a version, a year, ...");
  auto t = std::make_shared<Target>();
  auto source = std::make_shared<std::vector<std::string>>();
  auto target = std::make_shared<std::vector<std::string>>();
  auto factor = std::make_shared<double>(1);
  auto keep = std::make_shared<bool>(false);
  AddTargetOptions(cmd, *t);
  cmd->add_option("--source", *source, "DIMENSION=MEMBER of the source slice; repeatable")
      ->required();
  cmd->add_option("--target", *target, "DIMENSION=MEMBER the source member goes to; repeatable")
      ->required();
  cmd->add_option("--factor", *factor, "Multiply every copied value")->capture_default_str();
  cmd->add_flag("--keep", *keep, "Keep target atoms that have no source atom");
  return [=] {
    return Run(*t, [&](Database& db, const Cube& cube) -> Result<CommitResult> {
      SliceCopy copy;
      QA_ASSIGN_OR_RETURN(copy.source.members, ParseChoices(*source, "--source"));
      QA_ASSIGN_OR_RETURN(copy.target, ParseChoices(*target, "--target"));
      copy.factor = *factor;
      copy.replace = !*keep;
      return db.CopySlice(cube.name(), copy, {t->user, ""});
    });
  };
}

Runner AddClearCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("clear", "Empty every leaf of a slice");
  auto t = std::make_shared<Target>();
  auto slice = std::make_shared<std::vector<std::string>>();
  AddTargetOptions(cmd, *t);
  cmd->add_option("--slice", *slice, "DIMENSION=MEMBER; repeatable (others: every leaf)")
      ->required();
  return [=] {
    return Run(*t, [&](Database& db, const Cube& cube) -> Result<CommitResult> {
      Slice s;
      QA_ASSIGN_OR_RETURN(s.members, ParseChoices(*slice, "--slice"));
      return db.ClearSlice(cube.name(), s, {t->user, ""});
    });
  };
}

Runner AddAllocateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "allocate", "Allocate an amount over target leaves in proportion to driver cells");
  auto t = std::make_shared<Target>();
  auto amount = std::make_shared<double>(0);
  auto source = std::make_shared<std::string>();
  auto targets = std::make_shared<std::vector<std::string>>();
  auto driver = std::make_shared<std::vector<std::string>>();
  auto driver_cube = std::make_shared<std::string>();
  auto decimals = std::make_shared<int>(-1);
  auto move = std::make_shared<bool>(false);
  AddTargetOptions(cmd, *t);
  auto* amount_opt = cmd->add_option("--amount", *amount, "The amount to allocate");
  auto* source_opt = cmd->add_option("--source", *source, "MEMBER,... the cell holding the amount");
  amount_opt->excludes(source_opt);
  cmd->add_option("--target", *targets, "DIMENSION=MEMBER of the targets; one per dimension")
      ->required();
  cmd->add_option("--driver", *driver, "DIMENSION=MEMBER put into each target's driver cell");
  cmd->add_option("--driver-cube", *driver_cube, "Cube of the drivers (default: the same)");
  cmd->add_option("--decimals", *decimals, "Round the shares, remainder on the largest");
  cmd->add_flag("--move-source", *move, "Empty the source leaf: the amount moves");
  return [=, amount_opt = amount_opt] {
    return Run(*t, [&](Database& db, const Cube& cube) -> Result<CommitResult> {
      Allocation a;
      if (amount_opt->count()) a.amount = *amount;
      if (!source->empty()) {
        QA_ASSIGN_OR_RETURN(a.source, ParseCellNames(cube, *source, "--source"));
      }
      QA_ASSIGN_OR_RETURN(a.targets.members, ParseChoices(*targets, "--target"));
      QA_ASSIGN_OR_RETURN(a.driver_members, ParseChoices(*driver, "--driver"));
      a.driver_cube = *driver_cube;
      a.decimals = *decimals;
      a.move_source = *move;
      return db.Allocate(cube.name(), a, {t->user, ""});
    });
  };
}

}  // namespace quantatom::cli
