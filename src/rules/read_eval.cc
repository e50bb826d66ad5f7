#include "rules/read_eval.h"

#include <unordered_map>

#include "calc/grid_overlay.h"
#include "model/cube_impl.h"
#include "rules/point_eval.h"

namespace quantatom::rules {
namespace {

// The cells of one read, per cube: where each is in the answer.
struct Slots {
  std::vector<std::unordered_map<CellKey, size_t, CellKeyHash>> index;  // by schema cube
  std::vector<std::vector<Coordinate>> cells;
  std::vector<std::vector<std::optional<double>>> values;

  explicit Slots(size_t cubes) : index(cubes), cells(cubes), values(cubes) {}
  // The slot of a cell, and whether it is new.
  std::pair<size_t, bool> Add(size_t cube, const Coordinate& c) {
    auto [it, fresh] = index[cube].emplace(CellKey::Of(c), cells[cube].size());
    if (fresh) cells[cube].push_back(c);
    return {it->second, fresh};
  }
  const std::optional<double>& Value(size_t cube, const Coordinate& c) const {
    return values[cube][index[cube].at(CellKey::Of(c))];
  }
};

// Answers the rules' reads from the slots filled before.
class SlotReader : public CellReader {
 public:
  SlotReader(const RuleSet& set, const Slots& slots) : set_(set), slots_(slots) {}
  Status Atoms(size_t cube, std::span<const uint64_t> keys,
               std::vector<std::optional<double>>& out) override {
    const auto& dims = set_.schema().cubes[cube].dims;
    auto c = set_.cube(cube);
    if (!c) return Status(StatusCode::kConflict, "the model changed while reading; read again");
    out.resize(keys.size());
    std::vector<LeafOrdinal> leaves(dims.size());
    Coordinate coordinate(dims.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      c->UnpackKey(keys[i], leaves.data());
      for (size_t d = 0; d < dims.size(); ++d) coordinate[d] = dims[d]->leaf_member(leaves[d]);
      out[i] = slots_.Value(cube, coordinate);
    }
    return Status::Ok();
  }
  Status Cells(size_t cube, std::span<const Coordinate> cells,
               std::vector<std::optional<double>>& out) override {
    out.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) out[i] = slots_.Value(cube, cells[i]);
    return Status::Ok();
  }

 private:
  const RuleSet& set_;
  const Slots& slots_;
};

}  // namespace

std::string RulesHook::RuleAtLeaf(const LeafOrdinal* leaves) const {
  auto rule = set_->RuleAtLeaf(cube_, leaves);
  return rule ? set_->Describe(*rule) : std::string();
}

Result<std::vector<CellAggregate>> RulesHook::Read(const Cube::Impl& cube,
                                                   const std::vector<Coordinate>& cells,
                                                   std::span<const SandboxCell> overlay) const {
  const RuleSet& set = *set_;
  Slots slots(set.schema().cubes.size());
  // By rule: the slots (of this cube) it computes.
  std::unordered_map<size_t, std::vector<size_t>> computed;
  std::vector<std::optional<size_t>> rule_of;  // by slot of this cube
  std::vector<size_t> unexpanded;
  auto add_own = [&](const Coordinate& c) {
    auto [slot, fresh] = slots.Add(cube_, c);
    if (fresh) {
      rule_of.push_back(set.ConsolidatedRuleAt(cube_, c.data()));
      if (rule_of.back()) unexpanded.push_back(slot);
    }
    return slot;
  };
  std::vector<size_t> answer;
  for (const Coordinate& c : cells) answer.push_back(add_own(c));
  // Every cell the rules read, through chains of rules of this cube.
  while (!unexpanded.empty()) {
    std::unordered_map<size_t, std::vector<size_t>> by_rule;
    for (size_t slot : unexpanded) by_rule[*rule_of[slot]].push_back(slot);
    unexpanded.clear();
    for (auto& [r, rows] : by_rule) {
      const CompiledRule& rule = set.rules()[r];
      std::vector<MemberId> coordinates;
      for (size_t slot : rows) {
        const Coordinate& c = slots.cells[cube_][slot];
        coordinates.insert(coordinates.end(), c.begin(), c.end());
      }
      for (const CompiledRef& ref : rule.refs)
        for (auto& source : ReferencedCells(set, rule, ref, coordinates)) {
          if (!source) continue;
          if (ref.cube == cube_) {
            add_own(*source);
          } else {
            slots.Add(ref.cube, *source);
          }
        }
      auto& list = computed[r];
      list.insert(list.end(), rows.begin(), rows.end());
    }
    if (slots.cells[cube_].size() > kReadCellsMax)
      return Status::Limit("the read needs more than " + std::to_string(kReadCellsMax) +
                           " cells, those rules read included");
  }
  // This cube's plain cells under one read lock; other cubes through their reads.
  {
    std::vector<Coordinate> plain;
    std::vector<size_t> plain_slots;
    for (size_t s = 0; s < slots.cells[cube_].size(); ++s)
      if (!rule_of[s]) plain.push_back(slots.cells[cube_][s]), plain_slots.push_back(s);
    std::vector<CellAggregate> agg;
    {
      std::shared_lock lock(cube.mu);
      agg = cube.Aggregates(plain);
      QA_RETURN_IF_ERROR(AddOverlayToCells(cube, plain, overlay, agg));
    }
    slots.values[cube_].resize(slots.cells[cube_].size());
    for (size_t i = 0; i < plain.size(); ++i)
      if (agg[i].atoms) slots.values[cube_][plain_slots[i]] = agg[i].sum;
  }
  for (size_t other = 0; other < slots.cells.size(); ++other) {
    if (other == cube_ || slots.cells[other].empty()) continue;
    auto c = set.cube(other);
    if (!c) return Status(StatusCode::kConflict, "the model changed while reading; read again");
    QA_ASSIGN_OR_RETURN(std::vector<CellAggregate> agg,
                        c->impl().ReadAggregates(slots.cells[other]));
    slots.values[other].resize(agg.size());
    for (size_t i = 0; i < agg.size(); ++i)
      if (agg[i].atoms) slots.values[other][i] = agg[i].sum;
  }
  // The rules' cells, each rule after those it reads.
  SlotReader reader(set, slots);
  for (size_t r : set.consolidated_order()) {
    auto it = computed.find(r);
    if (it == computed.end()) continue;
    std::vector<MemberId> coordinates;
    for (size_t slot : it->second) {
      const Coordinate& c = slots.cells[cube_][slot];
      coordinates.insert(coordinates.end(), c.begin(), c.end());
    }
    QA_ASSIGN_OR_RETURN(Column values, EvaluateAt(set, set.rules()[r], coordinates, reader));
    for (size_t i = 0; i < it->second.size(); ++i)
      if (values.has[i]) slots.values[cube_][it->second[i]] = values.value[i];
  }
  std::vector<CellAggregate> out(cells.size());
  for (size_t i = 0; i < cells.size(); ++i)
    if (const auto& v = slots.values[cube_][answer[i]]) out[i] = {*v, 1};
  return out;
}

}  // namespace quantatom::rules
