// The functions of quantatom/rules.h.
#include <algorithm>

#include "model/cube_impl.h"
#include "rules/install.h"
#include "rules/recalc.h"

namespace quantatom {

RuleCheck CheckRules(const Model& model, std::string_view cube, std::string_view text) {
  RuleCheck check;
  auto found = model.FindCube(cube);
  if (!found) {
    check.status = Status::NotFound("unknown cube '" + std::string(cube) + "'");
    return check;
  }
  rules::BuildRules(rules::RulesOf(model, {{found->name(), std::string(text)}}), found->name(),
                    &check);
  return check;
}

Status SetRules(Model& model, std::string_view cube, std::string text) {
  RuleCheck check = CheckRules(model, cube, text);
  QA_RETURN_IF_ERROR(check.status);
  auto found = model.FindCube(cube);
  const std::string name = found->name();
  auto set = rules::BuildRules(rules::RulesOf(model, {{name, text}}), name, nullptr);
  const auto& cubes = model.cubes();
  const size_t index = std::find(cubes.begin(), cubes.end(), found) - cubes.begin();
  const size_t stored = rules::StoredAtomsInRules(*set, index, *found).size();
  if (stored > 0)
    return Status(StatusCode::kConflict, "cube '" + name + "' holds " + std::to_string(stored) +
                                             " stored atoms in cells the rules compute; delete "
                                             "them first");
  QA_RETURN_IF_ERROR(model.SetRulesText({name, std::move(text), "", 0}));
  if (!model.rule_set()) return rules::InstallRules(model);
  std::vector<bool> changed(cubes.size(), false);
  changed[index] = true;
  return rules::ReinstallRules(model, changed, std::vector<bool>(cubes.size(), false));
}

Status WriteWithRules(Model& model, std::string_view cube, const WriteBatch& batch) {
  auto found = model.FindCube(cube);
  if (!found) return Status::NotFound("unknown cube '" + std::string(cube) + "'");
  if (!model.rule_set()) return found->Write(batch);
  QA_ASSIGN_OR_RETURN(std::vector<uint64_t> keys, found->KeysOf(batch));
  std::vector<std::optional<double>> old_values = found->ReadAtoms(keys);
  Transaction txn;
  txn.cube = found->name();
  txn.deltas = AtomDeltas(found->dimensions().size());
  for (size_t i = 0; i < keys.size(); ++i)
    txn.deltas.Add(batch.entries()[i].coordinate.data(), old_values[i], batch.entries()[i].value);
  return rules::ApplyDataTransaction(model, txn);
}

std::vector<RuleSummary> DescribeRules(const Model& model, std::string_view cube) {
  std::vector<RuleSummary> out;
  const auto& set = model.rule_set();
  if (!set) return out;
  auto index = set->schema().Find(cube);
  if (!index) return out;
  for (size_t r : set->rules_of(*index)) {
    const rules::CompiledRule& rule = set->rules()[r];
    RuleSummary s;
    s.line = rule.place.line;
    s.kind = rule.kind == rules::RuleKind::kLeaf ? "leaf" : "consolidated";
    s.target = rule.target;
    if (auto live = set->cube(*index); live && rule.kind == rules::RuleKind::kLeaf) {
      const Cube::Impl& impl = live->impl();
      std::shared_lock lock(impl.mu);
      LeafOrdinal leaves[kCubeDimensionsMax];
      for (const Partition& p : impl.derived.partitions())
        for (size_t i = 0; i < p.keys.size(); ++i) {
          impl.layout.Unpack(impl.derived.Key(p, i), leaves);
          s.derived_atoms += rule.area.CoversLeaves(leaves);
        }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace quantatom
