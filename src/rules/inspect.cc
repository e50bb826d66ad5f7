#include "rules/inspect.h"

#include <functional>

#include "model/cube_impl.h"
#include "rules/elimination.h"
#include "rules/parser.h"
#include "rules/point_eval.h"
#include "rules/read_eval.h"

namespace quantatom::rules {
namespace {

const RulesHook* HookOf(const Cube& cube, std::shared_ptr<const CubeRulesHook>& keep) {
  keep = cube.impl().Rules();
  return dynamic_cast<const RulesHook*>(keep.get());
}

// The rule computing `cell` of schema cube `c`.
std::optional<size_t> RuleAt(const RuleSet& set, size_t c, const Coordinate& cell) {
  const auto& dims = set.schema().cubes[c].dims;
  LeafOrdinal leaves[kCubeDimensionsMax];
  bool leaf = true;
  for (size_t d = 0; d < dims.size() && leaf; ++d) {
    leaves[d] = dims[d]->leaf_ordinal(cell[d]);
    leaf = leaves[d] != kNotALeaf;
  }
  if (leaf) return set.RuleAtLeaf(c, leaves);
  return set.ConsolidatedRuleAt(c, cell.data());
}

void Collect(const RuleSet& set, size_t c, const Coordinate& cell, int depth,
             std::vector<std::pair<std::shared_ptr<Cube>, Coordinate>>& out) {
  auto r = RuleAt(set, c, cell);
  if (!r || depth > 32) return;
  const CompiledRule& rule = set.rules()[*r];
  if (rule.elimination) {
    Coordinate parent = cell;
    const Elimination& e = *rule.elimination;
    parent[e.entity_dim] = e.first_parent[cell[e.entity_dim]];
    out.push_back({set.cube(c), parent});
    return;
  }
  for (const CompiledRef& ref : rule.refs) {
    auto source = ReferencedCells(set, rule, ref, cell)[0];
    if (!source) continue;
    out.push_back({set.cube(ref.cube), *source});
    Collect(set, ref.cube, *source, depth + 1, out);
  }
}

void CubesIn(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == Expr::Kind::kRef && e.cube) out.push_back(e.cube->text);
  for (const ExprPtr& a : e.args) CubesIn(*a, out);
  if (e.lhs) CubesIn(*e.lhs, out);
  if (e.rhs) CubesIn(*e.rhs, out);
}

}  // namespace

bool ComputedByRule(const Cube& cube, const Coordinate& cell) {
  std::shared_ptr<const CubeRulesHook> keep;
  const RulesHook* hook = HookOf(cube, keep);
  return hook && RuleAt(hook->set(), hook->cube(), cell).has_value();
}

std::vector<std::pair<std::shared_ptr<Cube>, Coordinate>> RuleInputs(const Cube& cube,
                                                                     const Coordinate& cell) {
  std::vector<std::pair<std::shared_ptr<Cube>, Coordinate>> out;
  std::shared_ptr<const CubeRulesHook> keep;
  if (const RulesHook* hook = HookOf(cube, keep)) Collect(hook->set(), hook->cube(), cell, 0, out);
  return out;
}

std::vector<std::string> CubesNamedIn(std::string_view text) {
  std::vector<std::string> out;
  ParsedRules parsed = ParseRules(text);
  if (parsed.error) return out;
  for (const Statement& s : parsed.statements) CubesIn(*s.expr, out);
  return out;
}

}  // namespace quantatom::rules
