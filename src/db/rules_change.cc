#include "db/rules_change.h"

#include <nlohmann/json.hpp>

#include "rules/install.h"

namespace quantatom {
namespace {

using nlohmann::json;

size_t IndexOf(const Model& model, const std::string& cube) {
  const auto& cubes = model.cubes();
  for (size_t i = 0; i < cubes.size(); ++i)
    if (FoldCase(cubes[i]->name()) == FoldCase(cube)) return i;
  return cubes.size();
}

}  // namespace

Status PrepareSetRules(const Model& model, const std::string& cube, const std::string& text,
                       bool delete_data, Transaction& txn, StructureReport* report) {
  auto found = model.FindCube(cube);
  if (!found) return Status::NotFound("unknown cube '" + cube + "'");
  RuleCheck check = CheckRules(model, found->name(), text);
  QA_RETURN_IF_ERROR(check.status);
  auto set =
      rules::BuildRules(rules::RulesOf(model, {{found->name(), text}}), found->name(), nullptr);
  AtomDeltas stored = rules::StoredAtomsInRules(*set, IndexOf(model, found->name()), *found);
  if (report && stored.size() > 0) *report = {stored.size(), {{found->name(), stored.size()}}};
  if (stored.size() > 0 && !delete_data)
    return Status(StatusCode::kConflict,
                  "cube '" + found->name() + "' holds " + std::to_string(stored.size()) +
                      " stored atoms in cells these rules compute; set them with delete_data to "
                      "delete those atoms (they are logged, and can be seen in the change feed "
                      "and the history)");
  txn.kind = OperationKind::kSetRules;
  txn.cube = found->name();
  txn.deltas = std::move(stored);
  json p = {{"cube", found->name()}, {"text", text}};
  try {
    txn.parameters = p.dump();
  } catch (const json::exception&) {
    return Status::Invalid("the rules text is not UTF-8");
  }
  return Status::Ok();
}

Status ApplySetRules(Model& model, const Transaction& txn) {
  json p = json::parse(txn.parameters, nullptr, false);
  if (!p.is_object() || !p.contains("cube") || !p["cube"].is_string() || !p.contains("text") ||
      !p["text"].is_string())
    return Status::Corruption("transaction " + std::to_string(txn.sequence) +
                              " (set_rules): malformed parameters");
  const std::string cube = p["cube"].get<std::string>();
  auto found = model.FindCube(cube);
  if (!found)
    return Status::Corruption("transaction " + std::to_string(txn.sequence) + ": no cube '" + cube +
                              "'");
  QA_RETURN_IF_ERROR(found->ApplyDeltas(txn.deltas));
  return model.SetRulesText({found->name(), p["text"].get<std::string>(), txn.user, txn.sequence});
}

Status CheckRulesAfter(const Model& model, const Dimension* before,
                       std::shared_ptr<const Dimension> after, const std::string& removed_cube) {
  if (model.AllRulesText().empty()) return Status::Ok();
  rules::ModelRules changed = rules::RulesOf(model);
  if (!before) {
    const size_t i = IndexOf(model, removed_cube);
    if (i < changed.schema.cubes.size()) {
      changed.schema.cubes.erase(changed.schema.cubes.begin() + i);
      changed.texts.erase(changed.texts.begin() + i);
      changed.cubes.erase(changed.cubes.begin() + i);
    }
  } else {
    for (auto& cube : changed.schema.cubes)
      for (auto& d : cube.dims)
        if (d.get() == before) d = after;
  }
  RuleCheck check;
  auto set = rules::BuildRules(changed, "", &check);
  if (!set)
    return Status(StatusCode::kConflict,
                  "the change would break the rules: " + check.status.message());
  if (!before) return Status::Ok();
  for (size_t c = 0; c < changed.schema.cubes.size(); ++c) {
    if (set->rules_of(c).empty()) continue;
    auto live = changed.cubes[c].lock();
    const size_t atoms = live ? rules::StoredAtomsInRules(*set, c, *live).size() : 0;
    if (atoms > 0)
      return Status(StatusCode::kConflict,
                    "the change would put " + std::to_string(atoms) + " stored atoms of cube '" +
                        changed.schema.cubes[c].name +
                        "' in cells its rules compute; change the rules first");
  }
  return Status::Ok();
}

}  // namespace quantatom
