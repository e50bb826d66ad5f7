#include "db/apply.h"

#include <nlohmann/json.hpp>

#include "quantatom/load.h"

namespace quantatom {
namespace {

using nlohmann::json;

struct CubeDefinition {
  std::string name;
  std::vector<std::shared_ptr<const Dimension>> dims;
};

Result<std::shared_ptr<const Dimension>> DimensionOf(const Model& model, const Transaction& txn) {
  json p = json::parse(txn.parameters, nullptr, false);
  if (p.is_discarded() || !p.contains("name") || !p.contains("csv"))
    return Status::Corruption("transaction " + std::to_string(txn.sequence) +
                              ": bad create_dimension parameters");
  std::string name = p["name"];
  if (model.FindDimension(name)) return Status::AlreadyExists("dimension '" + name + "' exists");
  return ParseDimensionCsv(p["csv"].get<std::string>(), name, "dimension '" + name + "'");
}

Result<CubeDefinition> CubeOf(const Model& model, const Transaction& txn) {
  json p = json::parse(txn.parameters, nullptr, false);
  if (p.is_discarded() || !p.contains("name") || !p.contains("dimensions"))
    return Status::Corruption("transaction " + std::to_string(txn.sequence) +
                              ": bad create_cube parameters");
  CubeDefinition def{p["name"], {}};
  if (model.FindCube(def.name)) return Status::AlreadyExists("cube '" + def.name + "' exists");
  for (const auto& d : p["dimensions"]) {
    auto dim = model.FindDimension(d.get<std::string>());
    if (!dim)
      return Status::NotFound("cube '" + def.name + "': no dimension '" + d.get<std::string>() +
                              "'");
    def.dims.push_back(std::move(dim));
  }
  return def;
}

}  // namespace

std::string CreateDimensionParameters(const std::string& name, const std::string& csv) {
  return json{{"name", name}, {"csv", csv}}.dump();
}

std::string CreateCubeParameters(const std::string& name,
                                 const std::vector<std::string>& dimensions) {
  return json{{"name", name}, {"dimensions", dimensions}}.dump();
}

Status CheckStructureChange(const Model& model, const Transaction& txn) {
  if (txn.kind == OperationKind::kCreateDimension) return DimensionOf(model, txn).status();
  if (txn.kind == OperationKind::kCreateCube) {
    QA_ASSIGN_OR_RETURN(CubeDefinition def, CubeOf(model, txn));
    return Cube::Create(def.name, def.dims).status();
  }
  return Status::Ok();
}

Status ApplyTransaction(Model& model, const Transaction& txn) {
  switch (txn.kind) {
    case OperationKind::kCreateDimension: {
      QA_ASSIGN_OR_RETURN(auto dim, DimensionOf(model, txn));
      return model.AddDimension(std::move(dim));
    }
    case OperationKind::kCreateCube: {
      QA_ASSIGN_OR_RETURN(CubeDefinition def, CubeOf(model, txn));
      QA_ASSIGN_OR_RETURN(auto cube, Cube::Create(def.name, def.dims));
      return model.AddCube(std::move(cube));
    }
    case OperationKind::kWriteBatch:
    case OperationKind::kLoad:
    case OperationKind::kUndo:
    case OperationKind::kSpread:
    case OperationKind::kCopySlice:
    case OperationKind::kClearSlice:
    case OperationKind::kAllocate: {
      auto cube = model.FindCube(txn.cube);
      if (!cube)
        return Status::Corruption("transaction " + std::to_string(txn.sequence) + ": no cube '" +
                                  txn.cube + "'");
      return cube->ApplyDeltas(txn.deltas);
    }
  }
  return Status::Corruption("transaction " + std::to_string(txn.sequence) + ": unknown operation");
}

}  // namespace quantatom
