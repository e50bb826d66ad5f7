#include "planbench.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/common.h"
#include "log_bench.h"
#include "ops_view.h"
#include "quantatom/load.h"
#include "rules_bench.h"
#include "timing.h"
#include "util/process_memory.h"
#include "writeback_bench.h"

namespace quantatom::bench {
namespace {

using nlohmann::ordered_json;
ordered_json Timings(double cold, const std::vector<double>& warm) {
  return {{"cold_ms", cold},
          {"p50_ms", Percentile(warm, 0.5)},
          {"p99_ms", Percentile(warm, 0.99)},
          {"samples", warm.size()}};
}

Result<nlohmann::json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Io(path + ": cannot open");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::Invalid(path + ": malformed JSON");
  return j;
}

bool SameNumber(double a, double b) {
  double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= (scale < 1 ? 1e-6 : 1e-6 * scale);
}

// Compares a grid with the generator's expected answer (same shape as ours).
bool MatchesExpected(const Grid& grid, const nlohmann::json& expected) {
  nlohmann::json ours = nlohmann::json::parse(GridToCompactJson(grid));
  if (ours["rows"] != expected["rows"] || ours["columns"] != expected["columns"]) return false;
  for (size_t r = 0; r < ours["values"].size(); ++r) {
    for (size_t c = 0; c < ours["values"][r].size(); ++c) {
      const auto &a = ours["values"][r][c], &b = expected["values"][r][c];
      if (a.is_null() != b.is_null()) return false;
      if (!a.is_null() && !SameNumber(a.get<double>(), b.get<double>())) return false;
    }
  }
  return true;
}

struct Run {
  const BenchOptions& options;
  nlohmann::json ops;
  nlohmann::json expected;  // null when the dataset has no expected.json
  std::unique_ptr<Model> model;
  std::shared_ptr<Cube> cube;
  ordered_json out;

  Status Load();
  Status Grid(const char* name);
  Status EditRecalc();
  Status FullConsolidation();
};

Status Run::Load() {
  auto start = Clock::now();
  LoadOptions lo;
  lo.facts_cube = ops.value("cube", "planbench");
  lo.progress = false;
  LoadReport report;
  auto model_or = LoadModelDirectory(options.dir, lo, &report);
  if (!model_or.ok()) return model_or.status();
  model = std::move(*model_or);
  QA_ASSIGN_OR_RETURN(cube, model->GetCube(lo.facts_cube));
  double ms = MsSince(start);  // queryable: GRID_SMALL can be answered now
  size_t rss = ResidentBytes();
  CubeStats stats = cube->Stats();
  out["atoms"] = stats.atoms;
  out["LOAD"] = {{"ms", ms},
                 {"rows", report.rows},
                 {"rows_per_s", report.rows / (ms / 1000)},
                 {"duplicates", report.duplicates},
                 {"input_bytes", report.bytes},
                 {"partitions", stats.partitions}};
  out["memory"] = {
      {"rss_bytes_after_load", rss},
      {"rss_bytes_per_atom", double(rss) / std::max<size_t>(stats.atoms, 1)},
      {"atom_store_bytes_per_atom", double(stats.atom_bytes) / std::max<size_t>(stats.atoms, 1)},
      {"peak_rss_bytes", PeakResidentBytes()},
      {"on_disk_bytes", 0}};
  return Status::Ok();
}

Status Run::Grid(const char* name) {
  ViewSpec view = GridView(ops[name], cube->name());
  double cold = 0;
  std::vector<double> warm;
  quantatom::Grid last;
  for (int i = 0; i < options.grid_reads; ++i) {
    auto start = Clock::now();
    auto grid = cube->Query(view);
    double ms = MsSince(start);
    if (!grid.ok()) return grid.status();
    (i == 0 ? cold : warm.emplace_back()) = ms;
    last = std::move(*grid);
  }
  ordered_json j = Timings(cold, warm);
  j["cells"] = last.values.size();
  j["answer"] = ordered_json::parse(GridToCompactJson(last));
  if (!expected.is_null()) j["matches_expected"] = MatchesExpected(last, expected[name]);
  out[name] = std::move(j);
  return Status::Ok();
}

Result<Coordinate> CellOf(const Cube& cube, const nlohmann::json& cell) {
  std::vector<std::string> names;
  for (const auto& d : cube.dimensions()) names.push_back(cell.at(d->name()).get<std::string>());
  return cube.Resolve(names);
}

// Weight with which the leaf cell `leaf` feeds `cell` (0 when it does not).
double Coverage(const Cube& cube, const Coordinate& cell, const Coordinate& leaf) {
  double w = 1;
  for (size_t d = 0; d < cell.size(); ++d) {
    const Dimension& dim = *cube.dimensions()[d];
    w *= dim.WeightOf(cell[d], dim.leaf_ordinal(leaf[d])).value_or(0);
  }
  return w;
}

Status Run::EditRecalc() {
  const nlohmann::json& op = ops["EDIT_RECALC"];
  QA_ASSIGN_OR_RETURN(Coordinate leaf, CellOf(*cube, op["cell"]));
  ViewSpec view = GridView(ops["GRID_SMALL"], cube->name());
  QA_ASSIGN_OR_RETURN(quantatom::Grid before, cube->Query(view));
  // The grid cells' coordinates, to know which cells an edit must move.
  std::vector<double> coverage;
  Coordinate cell(cube->dimensions().size());
  for (auto& [d, m] : view.context)
    cell[*cube->DimensionIndex(d)] = *cube->dimensions()[*cube->DimensionIndex(d)]->Find(m);
  size_t row_dim = *cube->DimensionIndex(before.row_dimensions[0]);
  size_t col_dim = *cube->DimensionIndex(before.column_dimensions[0]);
  for (auto& r : before.rows) {
    for (auto& c : before.columns) {
      cell[row_dim] = r[0].id;
      cell[col_dim] = c[0].id;
      coverage.push_back(Coverage(*cube, cell, leaf));
    }
  }
  const double original = op["original"].get<double>();
  std::vector<double> samples;
  bool correct = true;
  for (int i = 0; i < options.edit_cycles && i < int(op["values"].size()); ++i) {
    double value = op["values"][i].get<double>();
    WriteBatch batch;
    batch.Set(leaf, value);
    auto start = Clock::now();
    QA_RETURN_IF_ERROR(cube->Write(batch));
    auto grid = cube->Query(view);
    samples.push_back(MsSince(start));
    if (!grid.ok()) return grid.status();
    for (size_t k = 0; k < grid->values.size(); ++k) {
      double want = before.values[k].value_or(0) + coverage[k] * (value - original);
      correct = correct && grid->values[k].has_value() == before.values[k].has_value() &&
                SameNumber(grid->values[k].value_or(0), want);
    }
  }
  WriteBatch restore;
  restore.Set(leaf, original);
  QA_RETURN_IF_ERROR(cube->Write(restore));
  out["EDIT_RECALC"] = {{"p50_ms", Percentile(samples, 0.5)},
                        {"p99_ms", Percentile(samples, 0.99)},
                        {"cycles", samples.size()},
                        {"grid_correct", correct}};
  return Status::Ok();
}

// Every consolidated member of Entity by every Version, over the whole
// cube, from cold; against the time to read the same number of atom bytes.
Status Run::FullConsolidation() {
  size_t entity = *cube->DimensionIndex("Entity");
  ViewSpec view;
  view.cube = cube->name();
  const Dimension& e = *cube->dimensions()[entity];
  AxisDimension rows{e.name(), {}};
  for (MemberId m = 0; m < e.size(); ++m)
    if (!e.is_leaf(m)) rows.members.push_back(e.member_name(m));
  view.rows.push_back(rows);
  size_t version = *cube->DimensionIndex("Version");
  const Dimension& v = *cube->dimensions()[version];
  AxisDimension cols{v.name(), {}};
  for (MemberId root : v.roots()) cols.members.push_back(v.member_name(root));
  view.columns.push_back(cols);
  std::vector<double> samples;
  size_t cells = 0;
  for (int i = 0; i < options.consolidation_reads; ++i) {
    cube->ClearCache();
    auto start = Clock::now();
    QA_ASSIGN_OR_RETURN(quantatom::Grid grid, cube->Query(view));
    samples.push_back(MsSince(start));
    cells = grid.values.size();
  }
  // The bound: one parallel pass over as many 4-byte keys and 8-byte values.
  const size_t n = cube->Stats().atoms;
  std::vector<uint32_t> keys(n, 1);
  std::vector<double> values(n, 1.0);
  std::vector<double> reads;
  for (int i = 0; i < options.consolidation_reads; ++i) {
    auto start = Clock::now();
    double sum = tbb::parallel_reduce(
        tbb::blocked_range<size_t>(0, n, 1 << 16), 0.0,
        [&](const tbb::blocked_range<size_t>& r, double acc) {
          for (size_t k = r.begin(); k != r.end(); ++k) acc += values[k] + keys[k];
          return acc;
        },
        std::plus<>());
    reads.push_back(MsSince(start));
    if (sum != 2.0 * n) return Status::Invalid("read bound: wrong sum");
  }
  double p50 = Percentile(samples, 0.5), bound = Percentile(reads, 0.5);
  out["FULL_CONSOLIDATION"] = {{"p50_ms", p50},
                               {"cells", cells},
                               {"read_all_atoms_ms", bound},
                               {"ratio_to_read", bound > 0 ? p50 / bound : 0}};
  return Status::Ok();
}

}  // namespace

Result<std::string> RunPlanbench(const BenchOptions& options) {
  Run run{options, {}, {}, {}, {}, {}};
  QA_ASSIGN_OR_RETURN(run.ops, ReadJson(options.dir + "/ops.json"));
  if (auto expected = ReadJson(options.dir + "/expected.json"); expected.ok())
    run.expected = *expected;
  run.out["dataset"] = options.dir;
  QA_RETURN_IF_ERROR(run.Load());
  QA_RETURN_IF_ERROR(run.Grid("GRID_SMALL"));
  QA_RETURN_IF_ERROR(run.Grid("GRID_LARGE"));
  QA_RETURN_IF_ERROR(run.EditRecalc());
  QA_RETURN_IF_ERROR(run.FullConsolidation());
  if (!options.log_data_dir.empty()) {
    run.model.reset();  // the logged run holds its own copy
    run.cube.reset();
    LogBenchOptions log;
    log.planbench_dir = options.dir;
    log.data_dir = options.log_data_dir;
    log.recovery_transactions = options.recovery_transactions;
    log.snapshot_program = cli::kThisProgram;
    QA_ASSIGN_OR_RETURN(nlohmann::ordered_json figures, RunLogBench(log));
    for (auto& [key, value] : figures.items()) run.out[key] = value;
  }
  if (!options.writeback_data_dir.empty()) {
    run.model.reset();
    run.cube.reset();
    WritebackBenchOptions wb;
    wb.planbench_dir = options.dir;
    wb.data_dir = options.writeback_data_dir;
    wb.repetitions = options.writeback_repetitions;
    QA_ASSIGN_OR_RETURN(nlohmann::ordered_json figures, RunWritebackBench(wb));
    for (auto& [key, value] : figures.items()) run.out[key] = value;
  }
  if (options.rules) {
    run.model.reset();
    run.cube.reset();
    RulesBenchOptions rb;
    rb.planbench_dir = options.dir;
    rb.edit_cycles = options.edit_cycles;
    QA_ASSIGN_OR_RETURN(run.out["RULES"], RunRulesBench(rb));
  }
  return run.out.dump(1);
}

}  // namespace quantatom::bench
