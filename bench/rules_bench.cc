#include "rules_bench.h"

#include <cmath>
#include <fstream>

#include "ops_view.h"
#include "quantatom/load.h"
#include "quantatom/rules.h"
#include "rules/install.h"
#include "rules/recalc.h"
#include "rules/rule_set.h"
#include "timing.h"

namespace quantatom::bench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kRules[] =
    "leaf [Measure: Amount, Account: Revenue] = [Measure: Units] * [Measure: Price];\n"
    "consolidated [Measure: Margin %]\n"
    "    = [Measure: Amount, Account: Gross Margin] / [Measure: Amount, Account: Revenue] * 100;\n";

bool Same(double a, double b) {
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= (scale < 1 ? 1e-6 : 1e-6 * scale);
}

Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Io(path + ": cannot open");
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::Invalid(path + ": malformed JSON");
  return j;
}

ViewSpec GridSmall(const json& op, const std::string& cube, const std::string& measure) {
  ViewSpec v = GridView(op, cube);
  v.context.emplace_back("Measure", measure);
  return v;
}

bool Matches(const Grid& grid, const json& expected) {
  json ours = json::parse(GridToCompactJson(grid));
  if (ours["rows"] != expected["rows"] || ours["columns"] != expected["columns"]) return false;
  for (size_t r = 0; r < ours["values"].size(); ++r)
    for (size_t c = 0; c < ours["values"][r].size(); ++c) {
      const json &a = ours["values"][r][c], &b = expected["values"][r][c];
      if (a.is_null() != b.is_null()) return false;
      if (!a.is_null() && !Same(a.get<double>(), b.get<double>())) return false;
    }
  return true;
}

// Units of a Revenue atom: a whole number from 1 to 50 drawn from its key.
double UnitsOf(uint64_t key) {
  uint64_t z = key * 0x9E3779B97F4A7C15ull;
  z ^= z >> 29;
  return static_cast<double>(1 + z % 50);
}

struct RulesModel {
  Model model;
  std::shared_ptr<Cube> cube;
  size_t revenue_atoms = 0;
};

// planbench's atoms in a cube with a Measure: Revenue atoms as Units and
// Price, every other atom as Amount.
Result<std::unique_ptr<RulesModel>> Build(const std::string& dir) {
  LoadOptions lo;
  lo.progress = false;
  QA_ASSIGN_OR_RETURN(std::unique_ptr<Model> source, LoadModelDirectory(dir, lo));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<Cube> planbench, source->GetCube("planbench"));
  auto out = std::make_unique<RulesModel>();
  DimensionBuilder measure("Measure");
  for (const char* m : {"Amount", "Units", "Price", "Margin %"}) measure.AddMember(m);
  QA_ASSIGN_OR_RETURN(auto measure_dim, std::move(measure).Build());
  std::vector<std::shared_ptr<const Dimension>> dims = planbench->dimensions();
  for (const auto& d : dims) QA_RETURN_IF_ERROR(out->model.AddDimension(d));
  QA_RETURN_IF_ERROR(out->model.AddDimension(measure_dim));
  dims.push_back(measure_dim);
  QA_ASSIGN_OR_RETURN(out->cube, Cube::Create("planbench_rules", dims));
  const size_t account = *planbench->DimensionIndex("Account");
  const Dimension& accounts = *dims[account];
  std::vector<bool> revenue(accounts.leaf_count(), false);
  for (const LeafWeight& lw : accounts.leaf_weights(*accounts.Find("Revenue")))
    revenue[lw.leaf] = true;
  Cube::BulkAtoms atoms;
  atoms.keys.reserve(planbench->Stats().atoms * 3 / 2);
  atoms.values.reserve(planbench->Stats().atoms * 3 / 2);
  const size_t nd = dims.size();
  planbench->ForEachAtom([&](const AtomRef& a) {
    LeafOrdinal leaves[kCubeDimensionsMax];
    std::copy(a.leaves.begin(), a.leaves.end(), leaves);
    if (!revenue[a.leaves[account]]) {
      leaves[nd - 1] = 0;  // Amount
      atoms.keys.push_back(out->cube->PackLeaves(leaves));
      atoms.values.push_back(a.value);
      return;
    }
    leaves[nd - 1] = 0;
    const double units = UnitsOf(out->cube->PackLeaves(leaves));
    leaves[nd - 1] = 1;
    atoms.keys.push_back(out->cube->PackLeaves(leaves));
    atoms.values.push_back(units);
    leaves[nd - 1] = 2;
    atoms.keys.push_back(out->cube->PackLeaves(leaves));
    atoms.values.push_back(a.value / units);
    ++out->revenue_atoms;
  });
  planbench.reset();
  source.reset();
  QA_RETURN_IF_ERROR(out->cube->BulkLoad(std::move(atoms)).status());
  QA_RETURN_IF_ERROR(out->model.AddCube(out->cube));
  return out;
}

Result<Coordinate> CellOf(const Cube& cube, const json& cell, const std::string& measure) {
  std::vector<std::string> names;
  for (const auto& d : cube.dimensions())
    names.push_back(d->name() == "Measure" ? measure : cell.at(d->name()).get<std::string>());
  return cube.Resolve(names);
}

}  // namespace

Result<ordered_json> RunRulesBench(const RulesBenchOptions& options) {
  QA_ASSIGN_OR_RETURN(json ops, ReadJson(options.planbench_dir + "/ops.json"));
  auto expected = ReadJson(options.planbench_dir + "/expected.json");
  QA_ASSIGN_OR_RETURN(std::unique_ptr<RulesModel> m, Build(options.planbench_dir));
  Cube& cube = *m->cube;
  auto start = Clock::now();
  QA_RETURN_IF_ERROR(SetRules(m->model, cube.name(), kRules));
  const double first_ms = MsSince(start);
  // Full recalculation from nothing: every derived atom computed and stored.
  std::vector<double> full;
  for (int i = 0; i < options.recalculations; ++i) {
    rules::DropDerivedAtoms(m->model);
    const auto& set = *m->model.rule_set();
    std::vector<bool> all(set.schema().cubes.size(), true);
    start = Clock::now();
    QA_RETURN_IF_ERROR(rules::Recompute(set, all, all));
    full.push_back(MsSince(start));
  }
  const CubeStats stats = cube.Stats();
  ordered_json out;
  const double full_ms = Percentile(full, 0.5);
  out["derived_atoms"] = stats.derived_atoms;
  out["derived_atoms_expected"] = m->revenue_atoms;
  out["full_recalc"] = {{"p50_ms", full_ms},
                        {"samples", full.size()},
                        {"derived_atoms_per_s", stats.derived_atoms / (full_ms / 1000)},
                        {"first_with_compile_ms", first_ms}};
  out["memory"] = {
      {"stored_atoms", stats.atoms},
      {"bytes_per_stored_atom", double(stats.atom_bytes) / std::max<size_t>(stats.atoms, 1)},
      {"bytes_per_derived_atom",
       double(stats.derived_bytes) / std::max<size_t>(stats.derived_atoms, 1)}};
  // GRID_SMALL over derived Revenue, then edits of one Units input.
  const ViewSpec view = GridSmall(ops["GRID_SMALL"], cube.name(), "Amount");
  QA_ASSIGN_OR_RETURN(Grid before, cube.Query(view));
  out["GRID_SMALL"] = {
      {"matches_expected", expected.ok() && Matches(before, (*expected)["GRID_SMALL"])}};
  const json& edit = ops["EDIT_RECALC"];
  QA_ASSIGN_OR_RETURN(Coordinate units_cell, CellOf(cube, edit["cell"], "Units"));
  QA_ASSIGN_OR_RETURN(Coordinate price_cell, CellOf(cube, edit["cell"], "Price"));
  const double units = *(*cube.ReadCell(units_cell)), price = *(*cube.ReadCell(price_cell));
  // Which grid cells the edited Revenue leaf (Amount at the Units cell) feeds, by which weight.
  QA_ASSIGN_OR_RETURN(Coordinate revenue_cell, CellOf(cube, edit["cell"], "Amount"));
  std::vector<double> coverage;
  for (size_t r = 0; r < before.rows.size(); ++r)
    for (size_t c = 0; c < before.columns.size(); ++c) {
      Coordinate cell = before.context;
      cell[*cube.DimensionIndex(before.row_dimensions[0])] = before.rows[r][0].id;
      cell[*cube.DimensionIndex(before.column_dimensions[0])] = before.columns[c][0].id;
      double w = 1;
      for (size_t d = 0; d < cell.size(); ++d) {
        const Dimension& dim = *cube.dimensions()[d];
        w *= dim.WeightOf(cell[d], dim.leaf_ordinal(revenue_cell[d])).value_or(0);
      }
      coverage.push_back(w);
    }
  std::vector<double> samples;
  bool correct = true;
  for (int i = 0; i < options.edit_cycles; ++i) {
    WriteBatch batch;
    const double next = units + i + 1;
    batch.Set(units_cell, next);
    start = Clock::now();
    QA_RETURN_IF_ERROR(WriteWithRules(m->model, cube.name(), batch));
    auto grid = cube.Query(view);
    samples.push_back(MsSince(start));
    if (!grid.ok()) return grid.status();
    for (size_t k = 0; k < grid->values.size(); ++k) {
      const double want = before.values[k].value_or(0) + coverage[k] * (next - units) * price;
      correct = correct && grid->values[k].has_value() == before.values[k].has_value() &&
                Same(grid->values[k].value_or(0), want);
    }
  }
  out["EDIT_GRID_SMALL"] = {{"p50_ms", Percentile(samples, 0.5)},
                            {"p99_ms", Percentile(samples, 0.99)},
                            {"cycles", samples.size()},
                            {"grid_correct", correct}};
  // Margin % at every cell of GRID_SMALL: consolidated, computed when read.
  const ViewSpec margin = GridSmall(ops["GRID_SMALL"], cube.name(), "Margin %");
  std::vector<double> reads;
  for (int i = 0; i < 7; ++i) {
    start = Clock::now();
    QA_ASSIGN_OR_RETURN(Grid g, cube.Query(margin));
    reads.push_back(MsSince(start));
  }
  out["MARGIN_GRID"] = {{"first_ms", reads[0]},
                        {"p50_ms", Percentile({reads.begin() + 1, reads.end()}, 0.5)}};
  return out;
}

}  // namespace quantatom::bench
