// demo, load, query and set: the commands over a model directory.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "demo/demo_model.h"
#include "load/csv.h"
#include "quantatom/rules.h"
#include "util/process_memory.h"

namespace quantatom::cli {

Runner AddDemoCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("demo", "Write the demo model (a readable planbench-S-shaped model)");
  auto out = std::make_shared<std::string>();
  auto options = std::make_shared<DemoOptions>();
  cmd->add_option("--out", *out, "Model directory to write")->required();
  cmd->add_option("--seed", options->seed, "Seed of the generated values")->capture_default_str();
  cmd->add_option("--entities-per-country", options->entities_per_country,
                  "Legal entities per country")
      ->capture_default_str();
  return [=] {
    auto report = WriteDemoModel(*out, *options);
    if (!report.ok()) return Fail(report.status());
    std::printf("wrote demo model to %s: %zu atoms\n", out->c_str(), report->atoms);
    return kExitOk;
  };
}

Runner AddLoadCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("load", "Load a model directory, check it, and report its size");
  auto dir = std::make_shared<std::string>();
  auto cube = std::make_shared<std::string>("planbench");
  cmd->add_option("DIR", *dir, "Model directory (dims/*.csv, facts.csv, cubes/*.csv)")->required();
  cmd->add_option("--facts-cube", *cube, "Cube name for facts.csv")->capture_default_str();
  return [=] {
    auto model = OpenModel(*dir, *cube, false);
    if (!model.ok()) return Fail(model.status());
    size_t rss = ResidentBytes();
    if (model->db) {
      std::printf("data directory %s at sequence %llu\n", dir->c_str(),
                  static_cast<unsigned long long>(model->db->last_sequence()));
      return kExitOk;
    }
    for (const auto& d : model->model->dimensions())
      std::printf("dimension %-12s %8zu members %8zu leaves  max level %d\n", d->name().c_str(),
                  d->member_count(), d->leaf_count(), d->max_level());
    for (const auto& c : model->model->cubes()) {
      CubeStats s = c->Stats();
      std::printf("cube %-12s %10zu atoms in %zu partitions, %.1f bytes/atom stored\n",
                  c->name().c_str(), s.atoms, s.partitions,
                  s.atoms ? double(s.atom_bytes) / s.atoms : 0.0);
    }
    std::printf("process resident memory: %.1f MiB\n", rss / 1048576.0);
    return kExitOk;
  };
}

namespace {

struct QueryArgs {
  std::string dir, view_file, facts_cube = "planbench";
  bool json = false, compact = false;
  uint64_t as_of = 0;  // 0: now
  std::string at;      // a time; empty: now
};

// "2026-11-24T10:00:00Z" (UTC) or microseconds since the epoch.
Result<int64_t> ParseTime(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end && (*end == 0 || (end[0] == 'Z' && end[1] == 0))) return int64_t{timegm(&tm)} * 1000000;
  char* digits_end = nullptr;
  long long us = std::strtoll(text.c_str(), &digits_end, 10);
  if (!text.empty() && *digits_end == 0) return us;
  return Status::Invalid("--at '" + text +
                         "': expected YYYY-MM-DDTHH:MM:SSZ (UTC) or microseconds since 1970");
}

// The grid now, or as of --as-of / --at (data directories only).
Result<Grid> QueryAt(const Opened& model, const Cube& cube, const ViewSpec& view,
                     const QueryArgs& a) {
  if (a.as_of == 0 && a.at.empty()) return cube.Query(view);
  if (!model.db) return Status::Invalid("--as-of and --at need a data directory (one with a log)");
  uint64_t sequence = a.as_of;
  if (!a.at.empty()) {
    QA_ASSIGN_OR_RETURN(int64_t time_us, ParseTime(a.at));
    QA_ASSIGN_OR_RETURN(sequence, model.db->SequenceAt(time_us));
  }
  return model.db->QueryAsOf(view, sequence);
}

void AddQueryOptions(CLI::App* cmd, QueryArgs& a, bool view_required) {
  cmd->add_option("DIR", a.dir, "Model directory")->required();
  auto* view = cmd->add_option("--view", a.view_file, "View JSON file (docs/view.md)");
  if (view_required) view->required();
  cmd->add_flag("--json", a.json, "Print the answer as JSON");
  cmd->add_flag("--compact", a.compact, "With --json: names only, as planbench's expected.json");
  cmd->add_option("--facts-cube", a.facts_cube, "Cube name for facts.csv")->capture_default_str();
  if (!view_required) return;  // `set` answers as of now
  auto* as_of = cmd->add_option("--as-of", a.as_of,
                                "Read as it was right after this sequence number (time travel)");
  cmd->add_option("--at", a.at, "Read as it was at this time: YYYY-MM-DDTHH:MM:SSZ")
      ->excludes(as_of);
}

int PrintView(const Opened& model, const QueryArgs& a) {
  auto text = ReadTextFile(a.view_file);
  if (!text.ok()) return Fail(text.status());
  auto view = ParseViewJson(*text);
  if (!view.ok())
    return Fail(Status(view.status().code(), a.view_file + ": " + view.status().message()));
  auto cube = model.GetCube(view->cube);
  if (!cube.ok()) return Fail(cube.status());
  auto grid = QueryAt(model, **cube, *view, a);
  if (!grid.ok()) return Fail(grid.status());
  if (a.json) {
    std::cout << (a.compact ? GridToCompactJson(*grid) : GridToJson(*grid)) << "\n";
  } else {
    std::cout << GridToTable(*grid);
  }
  return kExitOk;
}

}  // namespace

Runner AddQueryCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("query", "Print the grid of a view");
  auto a = std::make_shared<QueryArgs>();
  AddQueryOptions(cmd, *a, true);
  return [=] {
    auto model = OpenModel(a->dir, a->facts_cube, a->json);
    if (!model.ok()) return Fail(model.status());
    return PrintView(*model, *a);
  };
}

namespace {

// "Budget,2025-03,US000-001,Discounts,SKU-10101=5000" (empty value: clear).
Status AddCellWrite(const Cube& cube, const std::string& spec, WriteBatch& batch) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos)
    return Status::Invalid("--cell '" + spec + "': expected MEMBERS=VALUE");
  QA_ASSIGN_OR_RETURN(Coordinate c,
                      ParseCellNames(cube, std::string_view(spec).substr(0, eq), "--cell"));
  std::string value = spec.substr(eq + 1);
  if (value.empty()) {
    batch.Clear(std::move(c));
    return Status::Ok();
  }
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size())
    return Status::Invalid("--cell '" + spec + "': '" + value + "' is not a number");
  batch.Set(std::move(c), v);
  return Status::Ok();
}

}  // namespace

Runner AddSetCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("set",
                                 "Write leaf cells as one atomic batch, then print them (and a "
                                 "view). The model directory is not "
                                 "changed: durable writes arrive with the log (AODL).");
  auto a = std::make_shared<QueryArgs>();
  auto cube_name = std::make_shared<std::string>();
  auto cells = std::make_shared<std::vector<std::string>>();
  auto user = std::make_shared<std::string>(std::getenv("USER") ? std::getenv("USER") : "cli");
  AddQueryOptions(cmd, *a, false);
  cmd->add_option("--user", *user, "User recorded in the log (data directories)");
  cmd->add_option("--cube", *cube_name, "Cube to write")->required();
  cmd->add_option("--cell", *cells,
                  "MEMBER,MEMBER,...=VALUE (empty VALUE clears the atom); repeatable")
      ->required();
  return [=] {
    auto model = OpenModel(a->dir, a->facts_cube, a->json);
    if (!model.ok()) return Fail(model.status());
    auto cube = model->GetCube(*cube_name);
    if (!cube.ok()) return Fail(cube.status());
    WriteBatch batch;
    for (const std::string& spec : *cells) {
      Status s = AddCellWrite(**cube, spec, batch);
      if (!s.ok()) return Fail(s);
    }
    if (model->db) {
      auto committed = model->db->Write(*cube_name, batch, {*user, ""});
      if (!committed.ok()) return Fail(committed.status());
      std::fprintf(a->json ? stderr : stdout, "committed transaction %llu\n",
                   static_cast<unsigned long long>(committed->sequence));
    } else {
      Status s = WriteWithRules(*model->model, *cube_name, batch);
      if (!s.ok()) return Fail(s);
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      auto v = (*cube)->ReadCell(batch.entries()[i].coordinate);
      std::string shown = v.ok() && *v ? std::to_string(**v) : "(empty)";
      std::fprintf(a->json ? stderr : stdout, "%s = %s\n",
                   (*cells)[i].substr(0, (*cells)[i].rfind('=')).c_str(), shown.c_str());
    }
    return a->view_file.empty() ? kExitOk : PrintView(*model, *a);
  };
}

}  // namespace quantatom::cli
