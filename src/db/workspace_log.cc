#include "db/workspace_log.h"

#include <nlohmann/json.hpp>

#include "rules/install.h"

namespace quantatom {
namespace {

using nlohmann::json;

Status Corrupt(const Transaction& txn, const std::string& what) {
  return Status::Corruption("transaction " + std::to_string(txn.sequence) + " (" +
                            OperationKindName(txn.kind) + "): " + what);
}

Result<json> ParametersOf(const Transaction& txn) {
  json p = json::parse(txn.parameters, nullptr, false);
  if (!p.is_object()) return Corrupt(txn, "bad parameters");
  return p;
}

std::string Text(const json& p, const char* name) {
  auto it = p.find(name);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status ApplyHolds(Model& model, const Transaction& txn, const json& p) {
  std::vector<Coordinate> cells;
  const json& list = p.value("cells", json::array());
  if (!list.is_array()) return Corrupt(txn, "bad cells");
  for (const json& c : list) {
    if (!c.is_array()) return Corrupt(txn, "bad cell");
    cells.push_back(c.get<Coordinate>());
  }
  model.workspaces().SetHolds(Text(p, "user"), Text(p, "cube"), std::move(cells));
  return Status::Ok();
}

Status ApplySandboxWrite(Model& model, const Transaction& txn, const json& p) {
  Sandbox& s = model.workspaces().OpenSandbox(Text(p, "owner"), Text(p, "sandbox"), Text(p, "cube"),
                                              p.value("base_sequence", uint64_t{0}));
  for (size_t i = 0; i < txn.deltas.size(); ++i) {
    auto c = txn.deltas.coordinate(i);
    s.cells[Coordinate(c.begin(), c.end())] = txn.deltas.new_value(i);
  }
  s.changed_at = txn.sequence;
  return Status::Ok();
}

Status ApplySandboxCommit(Model& model, const Transaction& txn, const json& p) {
  auto cube = model.FindCube(txn.cube);
  if (!cube) return Corrupt(txn, "no cube '" + txn.cube + "'");
  // With rules, the derived atoms the commit's cells feed are recomputed.
  QA_RETURN_IF_ERROR(model.rule_set() ? rules::ApplyDataTransaction(model, txn)
                                      : cube->ApplyDeltas(txn.deltas));
  const std::string owner = Text(p, "owner"), name = Text(p, "sandbox");
  if (name.empty()) return Status::Ok();  // offline edits: no sandbox to reset
  // The sandbox goes on, empty, from the base it just joined.
  Sandbox& s = model.workspaces().OpenSandbox(owner, name, txn.cube, txn.sequence);
  s.cells.clear();
  s.base_sequence = s.changed_at = txn.sequence;
  return Status::Ok();
}

}  // namespace

std::string SetHoldsParameters(const std::string& user, const std::string& cube,
                               const std::vector<Coordinate>& cells) {
  return json{{"user", user}, {"cube", cube}, {"cells", cells}}.dump();
}

std::string SandboxParameters(const std::string& owner, const std::string& sandbox,
                              const std::string& cube, uint64_t base_sequence) {
  return json{
      {"owner", owner}, {"sandbox", sandbox}, {"cube", cube}, {"base_sequence", base_sequence}}
      .dump();
}

std::string SandboxCommitParameters(const std::string& owner, const std::string& sandbox,
                                    uint64_t base_sequence, const char* policy, size_t applied,
                                    size_t conflicts) {
  json p = {{"owner", owner},
            {"base_sequence", base_sequence},
            {"policy", policy},
            {"applied", applied},
            {"conflicts", conflicts}};
  if (!sandbox.empty()) p["sandbox"] = sandbox;
  return p.dump();
}

std::vector<Transaction> WorkspaceTransactions(const Model& model, uint64_t sequence) {
  std::vector<Transaction> out;
  for (const Workspaces::HoldList& h : model.workspaces().AllHolds()) {
    Transaction t;
    t.sequence = sequence;
    t.kind = OperationKind::kSetHolds;
    t.parameters = SetHoldsParameters(h.user, h.cube, h.cells);
    out.push_back(std::move(t));
  }
  for (const Sandbox* s : model.workspaces().AllSandboxes()) {
    auto cube = model.FindCube(s->cube);
    if (!cube) continue;
    Transaction t;
    t.sequence = sequence;
    t.kind = OperationKind::kSandboxWrite;
    t.parameters = SandboxParameters(s->owner, s->name, s->cube, s->base_sequence);
    t.deltas = AtomDeltas(cube->dimensions().size());
    t.deltas.Reserve(s->cells.size());
    for (const auto& [cell, value] : s->cells) t.deltas.Add(cell.data(), std::nullopt, value);
    out.push_back(std::move(t));
  }
  return out;
}

Status ApplyWorkspaceChange(Model& model, const Transaction& txn) {
  QA_ASSIGN_OR_RETURN(json p, ParametersOf(txn));
  switch (txn.kind) {
    case OperationKind::kSetHolds:
      return ApplyHolds(model, txn, p);
    case OperationKind::kSandboxWrite:
      return ApplySandboxWrite(model, txn, p);
    case OperationKind::kSandboxDiscard:
      model.workspaces().RemoveSandbox(Text(p, "owner"), Text(p, "sandbox"));
      return Status::Ok();
    case OperationKind::kSandboxCommit:
      return ApplySandboxCommit(model, txn, p);
    default:
      return Corrupt(txn, "not a workspace change");
  }
}

}  // namespace quantatom
