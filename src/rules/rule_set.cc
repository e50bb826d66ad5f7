#include "rules/rule_set.h"

#include <algorithm>
#include <functional>

#include "rules/elimination.h"
#include "rules/parser.h"

namespace quantatom::rules {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Whether, on every dimension, some member flagged in `a` is flagged in `b`.
bool Meets(const std::vector<std::vector<uint8_t>>& a, const std::vector<std::vector<uint8_t>>& b) {
  for (size_t d = 0; d < a.size(); ++d) {
    bool any = false;
    for (size_t m = 0; m < a[d].size() && !any; ++m) any = a[d][m] && b[d][m];
    if (!any) return false;
  }
  return true;
}

// A box of members as the leaves beneath them.
std::vector<std::vector<uint8_t>> LeafBox(const std::vector<std::vector<uint8_t>>& members,
                                          const SchemaCube& cube) {
  std::vector<std::vector<uint8_t>> out(members.size());
  for (size_t d = 0; d < members.size(); ++d) {
    const Dimension& dim = *cube.dims[d];
    out[d].assign(dim.leaf_count(), 0);
    for (MemberId m = 0; m < members[d].size(); ++m)
      if (members[d][m])
        for (const LeafWeight& lw : dim.leaf_weights(m)) out[d][lw.leaf] = 1;
  }
  return out;
}

// The cells a rule computes, as a box of members (leaf rules: leaf members).
const std::vector<std::vector<uint8_t>>& AreaBox(const CompiledRule& r) { return r.area.members; }

// A cell such as one in both boxes, for messages.
std::string SomeCell(const std::vector<std::vector<uint8_t>>& a,
                     const std::vector<std::vector<uint8_t>>& b, const SchemaCube& cube) {
  std::string out = "(";
  for (size_t d = 0; d < a.size(); ++d) {
    for (size_t m = 0; m < a[d].size(); ++m) {
      if (!a[d][m] || !b[d][m]) continue;
      out += (d ? ", " : "") + cube.dims[d]->member_name(static_cast<MemberId>(m));
      break;
    }
  }
  return out + ")";
}

}  // namespace

std::vector<std::vector<uint8_t>> ReadBox(const CompiledRule& rule, const CompiledRef& ref,
                                          const Schema& schema) {
  const auto& sdims = schema.cubes[ref.cube].dims;
  std::vector<std::vector<uint8_t>> box(sdims.size());
  for (size_t s = 0; s < sdims.size(); ++s) {
    box[s].assign(sdims[s]->size(), 0);
    const MemberMap& map = ref.maps[s];
    if (!map.from_cell) {
      box[s][map.fixed] = 1;
      continue;
    }
    const auto& area = rule.area.members[map.target_dim];
    const auto& valid = ref.valid[map.target_dim];
    for (MemberId t = 0; t < area.size(); ++t) {
      if (!area[t] || (!valid.empty() && !valid[t])) continue;
      MemberId m = map.Of(t);
      if (m != kNoMember) box[s][m] = 1;
    }
  }
  if (rule.elimination) {  // reads the entities outside its area, at any counterparty
    const Elimination& e = *rule.elimination;
    const Dimension& entity = *sdims[e.entity_dim];
    for (MemberId m = 0; m < entity.size(); ++m)
      box[e.entity_dim][m] =
          entity.is_leaf(m) && !entity.deleted(m) && !rule.area.members[e.entity_dim][m];
    std::fill(box[e.counterparty_dim].begin(), box[e.counterparty_dim].end(), 1);
  }
  return box;
}

std::shared_ptr<RuleSet> RuleSet::Build(Schema schema, std::vector<std::string> texts,
                                        const CompileLimits& limits, Error* error) {
  auto set = std::shared_ptr<RuleSet>(new RuleSet());
  set->schema_ = std::move(schema);
  set->texts_ = std::move(texts);
  const size_t cubes = set->schema_.cubes.size();
  set->texts_.resize(cubes);
  set->by_cube_.resize(cubes);
  set->readers_.resize(cubes);
  set->has_consolidated_.assign(cubes, false);
  auto fail = [&](size_t cube, RuleError e) {
    if (error) *error = {cube, std::move(e)};
    return nullptr;
  };
  for (size_t c = 0; c < cubes; ++c) {
    if (set->texts_[c].empty()) continue;
    ParsedRules parsed = ParseRules(set->texts_[c]);
    if (parsed.error) return fail(c, *parsed.error);
    CompiledRules compiled = Compile(set->schema_, c, parsed.statements, limits);
    if (compiled.error) return fail(c, *compiled.error);
    for (CompiledRule& r : compiled.rules) {
      set->by_cube_[c].push_back(set->rules_.size());
      set->has_consolidated_[c] = set->has_consolidated_[c] || r.kind == RuleKind::kConsolidated;
      set->rules_.push_back(std::move(r));
    }
  }
  const auto& rules = set->rules_;
  // Two rules of a cube computing one cell.
  for (size_t c = 0; c < cubes; ++c) {
    const auto& ids = set->by_cube_[c];
    for (size_t i = 0; i < ids.size(); ++i)
      for (size_t j = 0; j < i; ++j) {
        const CompiledRule &a = rules[ids[j]], &b = rules[ids[i]];
        if (!Meets(AreaBox(a), AreaBox(b))) continue;
        return fail(c, {StatusCode::kFailedPrecondition,
                        "this rule and the rule at line " + std::to_string(a.place.line) +
                            " both compute cells such as " +
                            SomeCell(AreaBox(a), AreaBox(b), set->schema_.cubes[c]),
                        b.place});
      }
  }
  // Dependencies: rule i reads cells rule j computes.
  std::vector<std::vector<size_t>> reads(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    for (const CompiledRef& ref : rules[i].refs) {
      const auto box = ReadBox(rules[i], ref, set->schema_);
      const auto leaves = LeafBox(box, set->schema_.cubes[ref.cube]);
      if (rules[i].kind == RuleKind::kLeaf &&
          std::find(set->readers_[ref.cube].begin(), set->readers_[ref.cube].end(), i) ==
              set->readers_[ref.cube].end())
        set->readers_[ref.cube].push_back(i);
      for (size_t j : set->by_cube_[ref.cube]) {
        const CompiledRule& dep = rules[j];
        const bool hit = dep.kind == RuleKind::kLeaf ? Meets(leaves, dep.area.leaves)
                                                     : Meets(box, dep.area.members);
        if (!hit) continue;
        if (rules[i].kind == RuleKind::kLeaf && dep.kind == RuleKind::kConsolidated)
          return fail(rules[i].cube,
                      {StatusCode::kFailedPrecondition,
                       "a leaf rule reads cells a consolidated rule computes (" + set->Describe(j) +
                           " of cube " + Quote(set->schema_.cubes[dep.cube].name) +
                           "); leaf rules read stored cells and the cells of leaf rules",
                       ref.place});
        if (std::find(reads[i].begin(), reads[i].end(), j) == reads[i].end()) reads[i].push_back(j);
      }
    }
  }
  // Cycles, by depth-first search; the order it finishes leaf rules in
  // puts each after the rules it reads.
  std::vector<int> state(rules.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<size_t> path;
  std::optional<Error> cycle;
  std::function<bool(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    path.push_back(i);
    for (size_t j : reads[i]) {
      if (state[j] == 2) continue;
      if (state[j] == 1) {
        auto from = std::find(path.begin(), path.end(), j);
        auto named = [&](size_t r) {
          return set->Describe(r) + " of cube " + Quote(set->schema_.cubes[rules[r].cube].name);
        };
        std::string text = "circular dependency: " + named(*from);
        if (from + 1 == path.end()) text += " reads cells computed by itself";
        for (auto it = from + 1; it != path.end(); ++it)
          text +=
              (it == from + 1 ? " reads cells computed by " : ", which reads cells computed by ") +
              named(*it);
        if (from + 1 != path.end()) text += ", which reads cells computed by " + named(j);
        cycle = Error{rules[i].cube, {StatusCode::kFailedPrecondition, text, rules[i].place}};
        return false;
      }
      if (!visit(j)) return false;
    }
    path.pop_back();
    state[i] = 2;
    (rules[i].kind == RuleKind::kLeaf ? set->leaf_order_ : set->consolidated_order_).push_back(i);
    return true;
  };
  for (size_t i = 0; i < rules.size(); ++i)
    if (state[i] == 0 && !visit(i)) {
      if (error) *error = *cycle;
      return nullptr;
    }
  set->plans_.resize(rules.size());
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].kind == RuleKind::kLeaf)
      for (const CompiledRef& ref : rules[i].refs)
        set->plans_[i].push_back(PlanRef(rules[i], ref, set->schema_));
  return set;
}

std::optional<size_t> RuleSet::RuleAtLeaf(size_t cube, const LeafOrdinal* leaves) const {
  for (size_t i : by_cube_[cube]) {
    const Area& area = rules_[i].area;
    bool in = true;
    for (size_t d = 0; d < area.leaves.size() && in; ++d) in = area.leaves[d][leaves[d]] != 0;
    if (in) return i;
  }
  return std::nullopt;
}

std::optional<size_t> RuleSet::ConsolidatedRuleAt(size_t cube, const MemberId* coordinate) const {
  if (!has_consolidated_[cube]) return std::nullopt;
  for (size_t i : by_cube_[cube])
    if (rules_[i].kind == RuleKind::kConsolidated && rules_[i].area.Covers(coordinate)) return i;
  return std::nullopt;
}

std::string RuleSet::Describe(size_t rule) const {
  const CompiledRule& r = rules_[rule];
  return std::string(r.kind == RuleKind::kLeaf ? "the leaf rule" : "the consolidated rule") +
         " at line " + std::to_string(r.place.line) + " (" + r.target + ")";
}

}  // namespace quantatom::rules
