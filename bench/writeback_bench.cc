#include "writeback_bench.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ops_view.h"
#include "quantatom/database.h"
#include "timing.h"

namespace quantatom::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool Same(double a, double b) {
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= (scale < 1 ? 1e-6 : 1e-6 * scale);
}

Result<Coordinate> CellOf(const Cube& cube, const json& members) {
  std::vector<std::string> names;
  for (const auto& d : cube.dimensions()) names.push_back(members.at(d->name()));
  return cube.Resolve(names);
}

struct Sum {
  size_t atoms = 0;
  double sum = 0;
};

// Atoms of a version under a year: their count and sum.
Sum SliceSum(const Cube& cube, const std::string& version, const std::string& year) {
  std::vector<std::vector<bool>> keep(cube.dimensions().size());
  for (size_t d = 0; d < keep.size(); ++d) {
    const Dimension& dim = *cube.dimensions()[d];
    const std::string& member = dim.name() == "Version" ? version
                                : dim.name() == "Time"  ? year
                                                        : std::string();
    if (member.empty()) continue;
    keep[d].assign(dim.leaf_count(), false);
    for (const LeafWeight& lw : dim.leaf_weights(*dim.Find(member))) keep[d][lw.leaf] = true;
  }
  Cube::AtomsCopy atoms = cube.CopyAtoms(keep);
  Sum s{atoms.keys.size(), 0};
  for (double v : atoms.values) s.sum += v;
  return s;
}

json Timings(const std::vector<double>& ms) {
  return {{"p50_ms", Percentile(ms, 0.5)},
          {"first_ms", ms.empty() ? 0 : ms.front()},
          {"max_ms", Percentile(ms, 1.0)},
          {"samples", ms.size()}};
}

// A sandbox with 10,000 changed leaves (existing Budget atoms, +1 each).
// GRID_SMALL read through it against the base read: warm (no commit since
// the last read), right after an edit elsewhere (a commit: the sandbox's
// cached grids are stale, the cube's cells were kept current), and cold
// (the cube's cache emptied too). Then a commit with its conflict check
// while the base moved under 1 % of the cells.
Result<json> SandboxFigures(Database& db, const Cube& cube, const ViewSpec& grid, int repetitions) {
  constexpr size_t kCells = 10'000;
  const size_t vdim = *cube.DimensionIndex("Version");
  const Dimension& version = *cube.dimensions()[vdim];
  std::vector<std::vector<bool>> keep(cube.dimensions().size());
  keep[vdim].assign(version.leaf_count(), false);
  keep[vdim][version.leaf_ordinal(*version.Find("Budget"))] = true;
  Cube::AtomsCopy budget = cube.CopyAtoms(keep);
  const size_t step = std::max<size_t>(1, budget.keys.size() / kCells);
  WriteBatch batch, base_moves;
  std::vector<LeafOrdinal> leaves(cube.dimensions().size());
  Coordinate elsewhere;  // an Actual leaf: edited between reads
  for (size_t i = 0; i < budget.keys.size() && batch.size() < kCells; i += step) {
    cube.UnpackKey(budget.keys[i], leaves.data());
    Coordinate c;
    for (size_t d = 0; d < leaves.size(); ++d)
      c.push_back(cube.dimensions()[d]->leaf_member(leaves[d]));
    if (elsewhere.empty()) {
      elsewhere = c;
      elsewhere[vdim] = *version.Find("Actual");
    }
    batch.Set(c, budget.values[i] + 1);
    if (batch.size() % 100 == 0) base_moves.Set(c, budget.values[i] + 2);  // 1 % conflict
  }
  const CommitContext ctx{"bench", ""};
  QA_RETURN_IF_ERROR(db.WriteSandbox("bench", cube.name(), batch, ctx).status());
  std::vector<double> base[3], sandbox[3];  // warm, after an edit, cold
  auto time = [&](std::vector<double>& into, const std::function<Status()>& read) {
    auto t = Clock::now();
    Status s = read();
    into.push_back(MsSince(t));
    return s;
  };
  auto read_base = [&] { return cube.Query(grid).status(); };
  auto read_sandbox = [&] { return db.QuerySandbox("bench", "bench", grid).status(); };
  auto edit = [&](double v) {
    WriteBatch b;
    b.Set(elsewhere, v);
    return db.Write(cube.name(), b, ctx).status();
  };
  for (int i = 0; i < 7; ++i) {
    QA_RETURN_IF_ERROR(edit(i));
    QA_RETURN_IF_ERROR(time(base[1], read_base));
    QA_RETURN_IF_ERROR(time(sandbox[1], read_sandbox));
    QA_RETURN_IF_ERROR(time(base[0], read_base));
    QA_RETURN_IF_ERROR(time(sandbox[0], read_sandbox));
    QA_RETURN_IF_ERROR(edit(i + 0.5));
    cube.ClearCache();
    QA_RETURN_IF_ERROR(time(base[2], read_base));
    cube.ClearCache();
    QA_RETURN_IF_ERROR(time(sandbox[2], read_sandbox));
  }
  QA_RETURN_IF_ERROR(db.Write(cube.name(), base_moves, ctx).status());
  auto t = Clock::now();
  QA_ASSIGN_OR_RETURN(MergeReport report,
                      db.CommitSandbox("bench", ConflictPolicy::kMergeDeltas, ctx));
  const double commit_ms = MsSince(t);
  json out = {{"cells", batch.size()}};
  const char* kinds[] = {"warm", "after_edit", "cold"};
  for (int k = 0; k < 3; ++k) {
    out[std::string("base_read_") + kinds[k] + "_p50_ms"] = Percentile(base[k], 0.5);
    out[std::string("sandbox_read_") + kinds[k] + "_p50_ms"] = Percentile(sandbox[k], 0.5);
  }
  out["commit_ms"] = commit_ms;
  out["commit_conflicts"] = report.conflicts.size();
  out["commit_cells_applied"] = report.cells_applied;
  return out;
}

}  // namespace

Result<nlohmann::ordered_json> RunWritebackBench(const WritebackBenchOptions& o) {
  fs::remove_all(o.data_dir);
  std::ifstream in(o.planbench_dir + "/ops.json");
  json ops = json::parse(in, nullptr, false);
  if (ops.is_discarded()) return Status::Invalid(o.planbench_dir + "/ops.json: malformed");
  DatabaseOptions options;
  options.snapshot_every_transactions = 0;
  QA_ASSIGN_OR_RETURN(auto db, Database::Open(o.data_dir, options));
  QA_RETURN_IF_ERROR(db->ImportModelDirectory(o.planbench_dir, {"bench", ""}));
  auto cube = db->FindCube(ops.value("cube", "planbench"));
  if (!cube) return Status::NotFound("no planbench cube");
  const ViewSpec grid = GridView(ops["GRID_SMALL"], cube->name());
  QA_RETURN_IF_ERROR(cube->Query(grid).status());  // warm, as after the grids of the run
  nlohmann::ordered_json out;
  const CommitContext ctx{"bench", ""};

  // SPREAD: the target times 1.1, then GRID_SMALL; timed together.
  QA_ASSIGN_OR_RETURN(Coordinate target, CellOf(*cube, ops["SPREAD"]["cell"]));
  std::vector<double> ms;
  bool correct = true;
  size_t leaves = 0;
  for (int i = 0; i < o.repetitions; ++i) {
    QA_ASSIGN_OR_RETURN(std::optional<double> before, cube->ReadCell(target));
    SpreadRequest r;
    r.cells = {target};
    r.spec.method = SpreadMethod::kProportional;
    r.spec.value = before.value_or(0) * ops["SPREAD"].value("factor", 1.1);
    auto start = Clock::now();
    QA_ASSIGN_OR_RETURN(CommitResult done, db->Spread(cube->name(), r, ctx));
    QA_RETURN_IF_ERROR(cube->Query(grid).status());
    ms.push_back(MsSince(start));
    leaves = done.atoms_changed;
    QA_ASSIGN_OR_RETURN(std::optional<double> after, cube->ReadCell(target));
    correct = correct && after && Same(*after, r.spec.value);
  }
  out["SPREAD"] = Timings(ms);
  out["SPREAD"]["leaves_changed"] = leaves;
  out["SPREAD"]["target_reads_value"] = correct;

  // COPY_VERSION: Actual's FY2025 onto Forecast.
  const json& cv = ops["COPY_VERSION"];
  SliceCopy copy;
  copy.source.members = {{"Version", cv["from"]}, {"Time", cv["time"]}};
  copy.target = {{"Version", cv["to"]}};
  ms.clear();
  for (int i = 0; i < o.repetitions; ++i) {
    auto start = Clock::now();
    QA_RETURN_IF_ERROR(db->CopySlice(cube->name(), copy, ctx).status());
    ms.push_back(MsSince(start));
  }
  const Sum from = SliceSum(*cube, cv["from"], cv["time"]),
            to = SliceSum(*cube, cv["to"], cv["time"]);
  out["COPY_VERSION"] = Timings(ms);
  out["COPY_VERSION"]["atoms"] = to.atoms;
  out["COPY_VERSION"]["correct"] = from.atoms == to.atoms && Same(from.sum, to.sum);

  // ALLOCATE: the amount over leaf entities and months by their revenue.
  const json& al = ops["ALLOCATE"];
  Allocation a;
  a.amount = al["amount"].get<double>();
  a.targets.members = {{"Version", al["source"]["Version"]},
                       {"Time", al["source"]["Time"]},
                       {"Entity", al["source"]["Entity"]},
                       {"Account", al["targets"]["Account"]},
                       {"Product", al["targets"]["Product"]}};
  a.driver_members = {{"Account", al["driver"]["Account"]}, {"Product", al["driver"]["Product"]}};
  QA_ASSIGN_OR_RETURN(Coordinate source, CellOf(*cube, al["source"]));
  ms.clear();
  correct = true;
  size_t targets = 0;
  for (int i = 0; i < o.repetitions; ++i) {
    auto start = Clock::now();
    QA_ASSIGN_OR_RETURN(CommitResult done, db->Allocate(cube->name(), a, ctx));
    ms.push_back(MsSince(start));
    if (i == 0) targets = done.atoms_changed;
    QA_ASSIGN_OR_RETURN(std::optional<double> reads, cube->ReadCell(source));
    correct = correct && reads && Same(*reads, *a.amount);
  }
  out["ALLOCATE"] = Timings(ms);
  out["ALLOCATE"]["targets_written"] = targets;
  out["ALLOCATE"]["source_reads_amount"] = correct;
  QA_ASSIGN_OR_RETURN(out["SANDBOX"], SandboxFigures(*db, *cube, grid, o.repetitions));
  db.reset();
  fs::remove_all(o.data_dir);
  return out;
}

}  // namespace quantatom::bench
