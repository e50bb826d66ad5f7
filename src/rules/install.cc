#include "rules/install.h"

#include <mutex>

#include "model/cube_impl.h"
#include "rules/read_eval.h"
#include "rules/recalc.h"

namespace quantatom::rules {

ModelRules RulesOf(const Model& model,
                   const std::optional<std::pair<std::string, std::string>>& replaced) {
  ModelRules out;
  for (const auto& cube : model.cubes()) {
    out.schema.cubes.push_back({cube->name(), cube->dimensions()});
    auto text = model.RulesText(cube->name());
    out.texts.push_back(text ? text->text : "");
    if (replaced && FoldCase(replaced->first) == FoldCase(cube->name()))
      out.texts.back() = replaced->second;
    out.cubes.push_back(cube);
  }
  return out;
}

std::shared_ptr<RuleSet> BuildRules(const ModelRules& rules, std::string_view checked,
                                    RuleCheck* check) {
  RuleSet::Error error;
  auto set = RuleSet::Build(rules.schema, rules.texts, {}, &error);
  if (set) {
    set->Bind(rules.cubes);
    return set;
  }
  if (!check) return nullptr;
  const std::string& name = rules.schema.cubes[error.cube].name;
  *check = ToRuleCheck(error.error, rules.texts[error.cube]);
  if (FoldCase(name) != FoldCase(checked)) {
    check->line = check->column = 0;
    check->status = Status(check->status.code(),
                           "the rules of cube '" + name + "': " + check->status.message());
  }
  return nullptr;
}

namespace {

Status Install(Model& model, std::shared_ptr<RuleSet> set) {
  const auto& cubes = model.cubes();
  for (size_t c = 0; c < cubes.size(); ++c) {
    std::shared_ptr<const CubeRulesHook> hook;
    if (!set->rules_of(c).empty()) hook = std::make_shared<RulesHook>(set, c);
    Cube::Impl& impl = cubes[c]->impl();
    std::unique_lock lock(impl.mu);
    impl.rules = std::move(hook);
  }
  model.set_rule_set(std::move(set));
  return Status::Ok();
}

Result<std::shared_ptr<RuleSet>> Compiled(const Model& model) {
  RuleCheck check;
  auto set = BuildRules(RulesOf(model), "", &check);
  if (!set)
    return Status(StatusCode::kCorruption,
                  "the model's rules do not compile: " + check.status.message());
  return set;
}

}  // namespace

Status InstallRules(Model& model) {
  const size_t n = model.cubes().size();
  return ReinstallRules(model, std::vector<bool>(n, true), std::vector<bool>(n, true));
}

Status ReinstallRules(Model& model, const std::vector<bool>& rules_changed,
                      const std::vector<bool>& inputs_changed) {
  QA_ASSIGN_OR_RETURN(std::shared_ptr<RuleSet> set, Compiled(model));
  QA_RETURN_IF_ERROR(Install(model, set));
  return Recompute(*set, rules_changed, inputs_changed);
}

AtomDeltas StoredAtomsInRules(const RuleSet& set, size_t cube, const Cube& live) {
  const auto& dims = live.dimensions();
  AtomDeltas out(dims.size());
  std::vector<LeafOrdinal> leaves(dims.size());
  std::vector<MemberId> members(dims.size());
  for (size_t r : set.rules_of(cube)) {
    const Area& area = set.rules()[r].area;
    std::vector<std::vector<bool>> keep(dims.size());
    bool any = true;
    for (size_t d = 0; d < dims.size(); ++d) {
      keep[d].assign(dims[d]->leaf_count(), false);
      bool some = false;
      for (LeafOrdinal l = 0; l < dims[d]->leaf_count(); ++l) {
        const MemberId m = dims[d]->leaf_member(l);
        keep[d][l] = m < area.members[d].size() && area.members[d][m];
        some = some || keep[d][l];
      }
      any = any && some;
    }
    if (!any) continue;
    Cube::AtomsCopy atoms = live.CopyAtoms(keep, /*stored_only=*/true);
    for (size_t i = 0; i < atoms.keys.size(); ++i) {
      live.UnpackKey(atoms.keys[i], leaves.data());
      for (size_t d = 0; d < dims.size(); ++d) members[d] = dims[d]->leaf_member(leaves[d]);
      out.Add(members.data(), atoms.values[i], std::nullopt);
    }
  }
  return out;
}

Status ApplyDataTransaction(Model& model, const Transaction& txn) {
  const RuleSet& set = *model.rule_set();
  std::vector<std::pair<size_t, const AtomDeltas*>> read;  // deltas of cubes rules read
  Status status = Status::Ok();
  ForEachCubeDeltas(txn, [&](const std::string& name, const AtomDeltas& d) {
    auto index = set.schema().Find(name);
    if (index && !set.readers_of(*index).empty()) {
      read.push_back({*index, &d});
      return;
    }
    // No rule reads the cube (it may be newer than the rules): as without rules.
    auto cube = model.FindCube(name);
    if (!cube) {
      status = Status::Corruption("transaction " + std::to_string(txn.sequence) + ": no cube '" +
                                  name + "'");
    } else if (status.ok()) {
      status = cube->ApplyDeltas(d);
    }
  });
  QA_RETURN_IF_ERROR(status);
  return read.empty() ? Status::Ok() : ApplyDeltas(set, read);
}

Status RefuseRuleCells(const Cube& cube, std::span<const uint64_t> keys, const std::string& what) {
  auto hook = cube.impl().Rules();
  if (!hook) return Status::Ok();
  const auto& dims = cube.dimensions();
  LeafOrdinal leaves[kCubeDimensionsMax];
  std::string named, first_rule;
  size_t count = 0;
  for (uint64_t key : keys) {
    cube.UnpackKey(key, leaves);
    std::string rule = hook->RuleAtLeaf(leaves);
    if (rule.empty()) continue;
    if (first_rule.empty()) first_rule = rule;
    if (++count > 10) continue;
    std::string cell = "(";
    for (size_t d = 0; d < dims.size(); ++d)
      cell += (d ? ", " : "") + dims[d]->member_name(dims[d]->leaf_member(leaves[d]));
    named += (named.empty() ? "" : ", ") + cell + ")";
  }
  if (count == 0) return Status::Ok();
  return Status::Precondition(what + " would change " + std::to_string(count) +
                              " cell(s) computed by rules of cube '" + cube.name() + "' (" +
                              first_rule + "): " + named + (count > 10 ? ", ..." : "") +
                              "; cells computed by rules are read-only");
}

void DropDerivedAtoms(const Model& model) {
  for (const auto& cube : model.cubes()) {
    Cube::Impl& impl = cube->impl();
    std::unique_lock lock(impl.mu);
    impl.derived = AtomStore(impl.layout.inner_bits());
    impl.cache.Clear();
  }
}

bool ChangesRuleSchema(OperationKind kind) {
  switch (kind) {
    case OperationKind::kDeleteCube:
    case OperationKind::kAddMember:
    case OperationKind::kUpdateMember:
    case OperationKind::kMoveMember:
    case OperationKind::kDeleteMember:
    case OperationKind::kSetRules:
      return true;
    default:
      return false;
  }
}

}  // namespace quantatom::rules
