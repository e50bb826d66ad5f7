// Commands over a data directory (the log and its snapshots): import,
// verify, snapshot, changes, history, undo.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "quantatom/database.h"

namespace quantatom::cli {

Runner AddImportCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "import", "Import a model directory into a data directory, every step logged");
  auto data = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>("import");
  cmd->add_option("DATA", *data, "Data directory (created if missing)")->required();
  cmd->add_option("MODEL", *model, "Model directory (dims/*.csv, facts.csv, cubes/*.csv)")
      ->required();
  cmd->add_option("--user", *user, "User recorded in the log")->capture_default_str();
  return [=] {
    // Checked before the data directory is opened, which would create a log
    // inside a model directory named as DATA by mistake.
    if (std::filesystem::exists(std::filesystem::path(*data) / "dims"))
      return Fail(Status::Invalid(*data + " is a model directory (it has dims/); the order "
                                          "is: import DATA MODEL"));
    if (!std::filesystem::is_directory(std::filesystem::path(*model) / "dims"))
      return Fail(Status::Invalid(*model + ": not a model directory (no dims/)"));
    auto db = Database::Open(*data);
    if (!db.ok()) return Fail(db.status());
    Status s = (*db)->ImportModelDirectory(*model, {*user, ""});
    if (!s.ok()) return Fail(s);
    std::printf("imported %s into %s: last sequence %llu\n", model->c_str(), data->c_str(),
                static_cast<unsigned long long>((*db)->last_sequence()));
    return kExitOk;
  };
}

Runner AddVerifyCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify", "Check a data directory: checksums, hash chain, snapshot against the log");
  auto data = std::make_shared<std::string>();
  cmd->add_option("DATA", *data, "Data directory")->required();
  return [=] {
    auto report = Database::Verify(*data);
    if (!report.ok()) return Fail(report.status());
    for (const std::string& w : report->warnings) std::printf("warning: %s\n", w.c_str());
    std::printf("ok: %llu transactions, %zu atoms, snapshot %s\n",
                static_cast<unsigned long long>(report->last_sequence), report->atoms,
                report->snapshot.empty() ? "(none)" : report->snapshot.c_str());
    return kExitOk;
  };
}

Runner AddSnapshotCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("snapshot", "Write a snapshot of a data directory now");
  auto data = std::make_shared<std::string>();
  auto truncate = std::make_shared<bool>(false);
  cmd->add_option("DATA", *data, "Data directory")->required();
  cmd->add_flag("--truncate-log", *truncate,
                "Delete the log segments the snapshot covers (loses their history)");
  return [=] {
    DatabaseOptions options;
    options.create_if_missing = false;
    options.truncate_log_after_snapshot = *truncate;
    auto db = Database::Open(*data, options);
    if (!db.ok()) return Fail(db.status());
    auto report = (*db)->Snapshot();
    if (!report.ok()) return Fail(report.status());
    std::printf("snapshot at sequence %llu: %s (%llu bytes), %zu log segments removed\n",
                static_cast<unsigned long long>(report->sequence), report->file.c_str(),
                static_cast<unsigned long long>(report->bytes), report->segments_removed);
    return kExitOk;
  };
}

// Run by a database that takes its snapshots in a process of their own
// (DatabaseOptions::snapshot_program); not meant to be typed.
Runner AddSnapshotWorkerCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("snapshot-worker", "");
  cmd->group("");  // hidden from --help
  auto data = std::make_shared<std::string>();
  auto sequence = std::make_shared<uint64_t>(0);
  cmd->add_option("DATA", *data)->required();
  cmd->add_option("SEQUENCE", *sequence)->required();
  return [=] {
    // Dies with the database process, whose open may clean up after it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) return Fail(Status::Precondition("the database process is gone"));
    auto bytes = Database::WriteSnapshotFromLog(*data, *sequence);
    if (!bytes.ok()) return Fail(bytes.status());
    std::printf("%llu\n", static_cast<unsigned long long>(*bytes));
    return kExitOk;
  };
}

namespace {

std::string Iso8601(int64_t time_us) {
  std::time_t t = time_us / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Value(std::optional<double> v) { return v ? std::to_string(*v) : "(empty)"; }

void PrintTransaction(const Database& db, const Transaction& t) {
  std::printf("#%llu %s %s %s %s%s%zu deltas\n", static_cast<unsigned long long>(t.sequence),
              Iso8601(t.time_us).c_str(), t.user.empty() ? "-" : t.user.c_str(),
              OperationKindName(t.kind), t.cube.c_str(), t.cube.empty() ? "" : " ",
              t.deltas.size());
  auto cube = db.FindCube(t.cube);
  for (size_t i = 0; cube && i < t.deltas.size() && i < 20; ++i) {
    std::string cell;
    auto c = t.deltas.coordinate(i);
    for (size_t d = 0; d < c.size(); ++d)
      cell += (d ? "," : "") + cube->dimensions()[d]->member_name(c[d]);
    std::printf("  %s: %s -> %s\n", cell.c_str(), Value(t.deltas.old_value(i)).c_str(),
                Value(t.deltas.new_value(i)).c_str());
  }
}

}  // namespace

Runner AddHistoryCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "history", "Print the transactions that changed a cell (leaf or consolidated)");
  auto data = std::make_shared<std::string>();
  auto cube_name = std::make_shared<std::string>();
  auto cell = std::make_shared<std::vector<std::string>>();
  cmd->add_option("DATA", *data, "Data directory")->required();
  cmd->add_option("--cube", *cube_name, "Cube")->required();
  cmd->add_option("--cell", *cell, "One member per dimension, comma-separated")
      ->required()
      ->delimiter(',');
  return [=] {
    auto db = OpenExisting(*data);
    if (!db.ok()) return Fail(db.status());
    auto cube = (*db)->FindCube(*cube_name);
    if (!cube) return Fail(Status::NotFound("unknown cube '" + *cube_name + "'"));
    auto coordinate = cube->Resolve(*cell);
    if (!coordinate.ok()) return Fail(coordinate.status());
    auto history = (*db)->CellHistory(*cube_name, *coordinate);
    if (!history.ok()) return Fail(history.status());
    for (const CellChange& c : *history) {
      std::string atom;
      for (size_t d = 0; d < c.atom.size(); ++d)
        atom += (d ? "," : "") + cube->dimensions()[d]->member_name(c.atom[d]);
      std::printf("#%llu %s %s %s %s: %s -> %s (weight %g)\n",
                  static_cast<unsigned long long>(c.sequence), Iso8601(c.time_us).c_str(),
                  c.user.empty() ? "-" : c.user.c_str(), OperationKindName(c.kind), atom.c_str(),
                  Value(c.old_value).c_str(), Value(c.new_value).c_str(), c.weight);
    }
    std::printf("%zu changes\n", history->size());
    return kExitOk;
  };
}

Runner AddUndoCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "undo", "Undo a transaction with a new, compensating one (refused if its cells moved on)");
  auto data = std::make_shared<std::string>();
  auto sequence = std::make_shared<uint64_t>(0);
  auto user = std::make_shared<std::string>("cli");
  cmd->add_option("DATA", *data, "Data directory")->required();
  cmd->add_option("SEQUENCE", *sequence, "The transaction to undo")->required();
  cmd->add_option("--user", *user, "User recorded in the log")->capture_default_str();
  return [=] {
    auto db = OpenExisting(*data);
    if (!db.ok()) return Fail(db.status());
    auto undone = (*db)->Undo(*sequence, {*user, ""});
    if (!undone.ok()) return Fail(undone.status());
    std::printf("undid #%llu as #%llu: %zu atoms\n", static_cast<unsigned long long>(*sequence),
                static_cast<unsigned long long>(undone->sequence), undone->atoms_changed);
    return kExitOk;
  };
}

Runner AddChangesCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "changes", "Print the transactions after a sequence number (the change feed)");
  auto data = std::make_shared<std::string>();
  auto since = std::make_shared<uint64_t>(0);
  auto max = std::make_shared<size_t>(100);
  cmd->add_option("DATA", *data, "Data directory")->required();
  cmd->add_option("--since", *since, "Sequence number already seen")->capture_default_str();
  cmd->add_option("--max", *max, "At most this many transactions")->capture_default_str();
  return [=] {
    auto db = OpenExisting(*data);
    if (!db.ok()) return Fail(db.status());
    auto changes = (*db)->ChangesSince(*since, *max);
    if (!changes.ok()) return Fail(changes.status());
    for (const Transaction& t : *changes) PrintTransaction(**db, t);
    return kExitOk;
  };
}

}  // namespace quantatom::cli
