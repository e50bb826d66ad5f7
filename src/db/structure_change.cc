#include "db/structure_change.h"

#include <algorithm>
#include <map>

#include "db/rules_change.h"
#include "db/structure_log.h"
#include "model/member_change.h"
#include "quantatom/load.h"

namespace quantatom {
namespace {

constexpr size_t kViewNameBytesMax = 200;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

Status Corrupt(const Transaction& txn, const std::string& what) {
  return Status::Corruption("transaction " + std::to_string(txn.sequence) + " (" +
                            OperationKindName(txn.kind) + "): " + what);
}

Result<std::shared_ptr<const Dimension>> DimensionOf(const Model& model,
                                                     const CreateDimensionArgs& a) {
  if (model.FindDimension(a.name))
    return Status::AlreadyExists("dimension " + Quote(a.name) + " exists");
  return ParseDimensionCsv(a.csv, a.name, "dimension " + Quote(a.name));
}

Result<std::shared_ptr<Cube>> CubeOf(const Model& model, const CreateCubeArgs& a) {
  if (model.FindCube(a.name)) return Status::AlreadyExists("cube " + Quote(a.name) + " exists");
  std::vector<std::shared_ptr<const Dimension>> dims;
  for (const std::string& d : a.dimensions) {
    auto dim = model.FindDimension(d);
    if (!dim) return Status::NotFound("cube " + Quote(a.name) + ": no dimension " + Quote(d));
    dims.push_back(std::move(dim));
  }
  return Cube::Create(a.name, std::move(dims));
}

std::string CubeList(const std::vector<std::shared_ptr<Cube>>& cubes) {
  std::string out;
  for (const auto& c : cubes) out += (out.empty() ? "" : ", ") + Quote(c->name());
  return out;
}

// Names of saved views: 1 to 200 bytes, no control characters.
Status CheckViewName(const std::string& name) {
  if (name.empty() || name.size() > kViewNameBytesMax)
    return Status::Invalid("a view name needs 1 to 200 bytes");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return Status::Invalid("a view name holds a control character");
  return Status::Ok();
}

// The cube's dimensions with `after` in the place of `before`.
std::vector<std::shared_ptr<const Dimension>> Swapped(const Cube& cube, const Dimension& before,
                                                      std::shared_ptr<const Dimension> after) {
  std::vector<std::shared_ptr<const Dimension>> dims = cube.dimensions();
  for (auto& d : dims)
    if (d.get() == &before) d = after;
  return dims;
}

// The atoms of `cube` at the lost leaves of dimension `d`, as deltas that
// clear them.
AtomDeltas AtomsAt(const Cube& cube, size_t d, const std::vector<MemberId>& lost) {
  const auto& dims = cube.dimensions();
  std::vector<std::vector<bool>> keep(dims.size());
  keep[d].assign(dims[d]->leaf_count(), false);
  for (MemberId m : lost) keep[d][dims[d]->leaf_ordinal(m)] = true;
  Cube::AtomsCopy atoms = cube.CopyAtoms(keep, /*stored_only=*/true);
  AtomDeltas deltas(dims.size());
  deltas.Reserve(atoms.keys.size());
  std::vector<LeafOrdinal> leaves(dims.size());
  std::vector<MemberId> members(dims.size());
  for (size_t i = 0; i < atoms.keys.size(); ++i) {
    cube.UnpackKey(atoms.keys[i], leaves.data());
    for (size_t k = 0; k < dims.size(); ++k) members[k] = dims[k]->leaf_member(leaves[k]);
    deltas.Add(members.data(), atoms.values[i], std::nullopt);
  }
  return deltas;
}

// Puts the deltas of each cube with atoms into the transaction: the first
// as its cube and deltas, the rest as its other cubes.
void AddRemovals(Transaction& txn, std::vector<CubeDeltas> removals, StructureReport* report) {
  for (CubeDeltas& c : removals) {
    if (c.deltas.size() == 0) continue;
    if (report) {
      report->atoms += c.deltas.size();
      report->atoms_by_cube.emplace_back(c.cube, c.deltas.size());
    }
    if (txn.cube.empty()) {
      txn.cube = std::move(c.cube);
      txn.deltas = std::move(c.deltas);
    } else {
      txn.other_cubes.push_back(std::move(c));
    }
  }
}

std::string AtomsText(const StructureReport& report) {
  std::string by_cube;
  for (const auto& [cube, n] : report.atoms_by_cube)
    by_cube += (by_cube.empty() ? "" : ", ") + cube + ": " + std::to_string(n);
  return std::to_string(report.atoms) + (report.atoms == 1 ? " atom" : " atoms") + " (" + by_cube +
         ")";
}

Status ApplyMemberChangeTxn(Model& model, const Transaction& txn) {
  QA_ASSIGN_OR_RETURN(MemberChange change, MemberChangeOf(txn));
  auto dim = model.FindDimension(change.dimension);
  if (!dim) return Corrupt(txn, "no dimension " + Quote(change.dimension));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<const Dimension> after, ApplyMemberChange(*dim, change));
  std::map<std::string, size_t> removed;  // folded cube -> atoms the log removes
  ForEachCubeDeltas(txn, [&](const std::string& cube, const AtomDeltas& d) {
    removed[FoldCase(cube)] += d.size();
  });
  std::vector<std::shared_ptr<Cube>> rekeyed;
  for (const auto& cube : CubesOver(model, *dim)) {
    size_t dropped = 0;
    QA_ASSIGN_OR_RETURN(auto copy, cube->WithDimensions(Swapped(*cube, *dim, after), &dropped));
    auto it = removed.find(FoldCase(cube->name()));
    const size_t logged = it == removed.end() ? 0 : it->second;
    if (dropped != logged)
      return Corrupt(txn, "removes " + std::to_string(logged) + " atoms of cube " +
                              Quote(cube->name()) + " but " + std::to_string(dropped) +
                              " lie at its lost leaves");
    if (it != removed.end()) removed.erase(it);
    rekeyed.push_back(std::move(copy));
  }
  if (!removed.empty())
    return Corrupt(txn, "removes atoms of cube " + Quote(removed.begin()->first) +
                            ", which is not over dimension " + Quote(dim->name()));
  QA_RETURN_IF_ERROR(model.ReplaceDimension(std::move(after)));
  for (auto& cube : rekeyed) QA_RETURN_IF_ERROR(model.ReplaceCube(std::move(cube)));
  return Status::Ok();
}

}  // namespace

std::vector<std::shared_ptr<Cube>> CubesOver(const Model& model, const Dimension& dim) {
  std::vector<std::shared_ptr<Cube>> out;
  for (const auto& cube : model.cubes())
    for (const auto& d : cube->dimensions())
      if (d.get() == &dim) out.push_back(cube);
  return out;
}

Status PrepareCreateDimension(const Model& model, const std::string& name, const std::string& csv,
                              Transaction& txn) {
  txn.kind = OperationKind::kCreateDimension;
  QA_ASSIGN_OR_RETURN(txn.parameters, CreateDimensionParameters(name, csv));
  return DimensionOf(model, {name, csv}).status();
}

Status PrepareCreateCube(const Model& model, const std::string& name,
                         const std::vector<std::string>& dimensions, Transaction& txn) {
  txn.kind = OperationKind::kCreateCube;
  QA_ASSIGN_OR_RETURN(txn.parameters, CreateCubeParameters(name, dimensions));
  return CubeOf(model, {name, dimensions}).status();
}

Status PrepareDeleteDimension(const Model& model, const std::string& name, Transaction& txn) {
  auto dim = model.FindDimension(name);
  if (!dim) return Status::NotFound("unknown dimension " + Quote(name));
  auto cubes = CubesOver(model, *dim);
  if (!cubes.empty())
    return Status(StatusCode::kConflict, "dimension " + Quote(dim->name()) + " is used by cube" +
                                             (cubes.size() > 1 ? "s " : " ") + CubeList(cubes) +
                                             "; delete " + (cubes.size() > 1 ? "them" : "it") +
                                             " first");
  txn.kind = OperationKind::kDeleteDimension;
  QA_ASSIGN_OR_RETURN(txn.parameters, DeleteParameters(dim->name()));
  return Status::Ok();
}

Status PrepareDeleteCube(const Model& model, const std::string& name, bool delete_data,
                         Transaction& txn, StructureReport* report) {
  auto cube = model.FindCube(name);
  if (!cube) return Status::NotFound("unknown cube " + Quote(name));
  const size_t atoms = cube->Stats().atoms;
  if (report && atoms > 0) *report = {atoms, {{cube->name(), atoms}}};
  if (atoms > 0 && !delete_data)
    return Status(StatusCode::kConflict, "cube " + Quote(cube->name()) + " holds " +
                                             std::to_string(atoms) +
                                             " atoms; delete it with delete_data to delete them");
  QA_RETURN_IF_ERROR(CheckRulesAfter(model, nullptr, nullptr, cube->name()));
  txn.kind = OperationKind::kDeleteCube;
  QA_ASSIGN_OR_RETURN(txn.parameters, DeleteParameters(cube->name()));
  return Status::Ok();
}

Status PrepareMemberChange(const Model& model, const MemberChange& change, Transaction& txn,
                           StructureReport* report) {
  auto dim = model.FindDimension(change.dimension);
  if (!dim) return Status::NotFound("unknown dimension " + Quote(change.dimension));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<const Dimension> after, ApplyMemberChange(*dim, change));
  const std::vector<MemberId> lost = LeavesLost(*dim, *after);
  std::vector<CubeDeltas> removals;
  for (const auto& cube : CubesOver(model, *dim)) {
    auto swapped = Swapped(*cube, *dim, after);
    QA_RETURN_IF_ERROR(Cube::Create(cube->name(), swapped).status());  // the key still fits
    if (lost.empty()) continue;
    for (size_t d = 0; d < swapped.size(); ++d)
      if (cube->dimensions()[d].get() == dim.get())
        removals.push_back({cube->name(), AtomsAt(*cube, d, lost)});
  }
  StructureReport found;
  AddRemovals(txn, std::move(removals), &found);
  if (report) *report = found;
  if (found.atoms > 0 && !change.delete_data) {
    std::string names;
    for (size_t i = 0; i < lost.size() && i < 10; ++i)
      names += (names.empty() ? "" : ", ") + Quote(dim->member_name(lost[i]));
    return Status(StatusCode::kConflict,
                  "the leaf " + names + " of dimension " + Quote(dim->name()) + " holds " +
                      AtomsText(found) + "; to delete them with the " +
                      MemberChangeKindName(change.kind) +
                      ", ask again with delete_data (their removal is logged: the change feed "
                      "and cell history show it)");
  }
  QA_RETURN_IF_ERROR(CheckRulesAfter(model, dim.get(), after, ""));
  txn.kind = MemberChangeOperation(change.kind);
  MemberChange logged = change;
  logged.dimension = dim->name();
  QA_ASSIGN_OR_RETURN(txn.parameters, MemberChangeParameters(logged));
  return Status::Ok();
}

Status PrepareSaveView(const Model& model, const std::string& cube, const std::string& name,
                       const std::string& view, Transaction& txn) {
  auto found = model.FindCube(cube);
  if (!found) return Status::NotFound("unknown cube " + Quote(cube));
  QA_RETURN_IF_ERROR(CheckViewName(name));
  QA_ASSIGN_OR_RETURN(ViewSpec spec, ParseViewJson(view));
  QA_RETURN_IF_ERROR(found->CheckView(spec));
  txn.kind = OperationKind::kSaveView;
  QA_ASSIGN_OR_RETURN(txn.parameters, SaveViewParameters(found->name(), name, view));
  return Status::Ok();
}

Status PrepareDeleteView(const Model& model, const std::string& cube, const std::string& name,
                         Transaction& txn) {
  auto found = model.FindCube(cube);
  if (!found) return Status::NotFound("unknown cube " + Quote(cube));
  bool exists = false;
  for (const SavedView& v : model.Views(found->name()))
    exists = exists || FoldCase(v.name) == FoldCase(name);
  if (!exists)
    return Status::NotFound("cube " + Quote(found->name()) + " has no view " + Quote(name));
  txn.kind = OperationKind::kDeleteView;
  QA_ASSIGN_OR_RETURN(txn.parameters, DeleteViewParameters(found->name(), name));
  return Status::Ok();
}

Status ApplyStructureChange(Model& model, const Transaction& txn) {
  switch (txn.kind) {
    case OperationKind::kCreateDimension: {
      QA_ASSIGN_OR_RETURN(CreateDimensionArgs args, CreateDimensionOf(txn));
      QA_ASSIGN_OR_RETURN(auto dim, DimensionOf(model, args));
      return model.AddDimension(std::move(dim));
    }
    case OperationKind::kCreateCube: {
      QA_ASSIGN_OR_RETURN(CreateCubeArgs args, CreateCubeOf(txn));
      QA_ASSIGN_OR_RETURN(auto cube, CubeOf(model, args));
      return model.AddCube(std::move(cube), txn.sequence);
    }
    case OperationKind::kDeleteDimension: {
      QA_ASSIGN_OR_RETURN(std::string name, DeletedNameOf(txn));
      auto dim = model.FindDimension(name);
      if (!dim) return Corrupt(txn, "no dimension " + Quote(name));
      if (!CubesOver(model, *dim).empty())
        return Corrupt(txn, "dimension " + Quote(name) + " is used by a cube");
      return model.RemoveDimension(name);
    }
    case OperationKind::kDeleteCube: {
      QA_ASSIGN_OR_RETURN(std::string name, DeletedNameOf(txn));
      return model.RemoveCube(name);
    }
    case OperationKind::kAddMember:
    case OperationKind::kUpdateMember:
    case OperationKind::kMoveMember:
    case OperationKind::kDeleteMember:
      return ApplyMemberChangeTxn(model, txn);
    case OperationKind::kSaveView: {
      QA_ASSIGN_OR_RETURN(ViewArgs args, ViewOf(txn));
      return model.SetView(args.cube, {args.name, args.view, txn.user, txn.sequence});
    }
    case OperationKind::kDeleteView: {
      QA_ASSIGN_OR_RETURN(ViewArgs args, ViewOf(txn));
      return model.RemoveView(args.cube, args.name);
    }
    case OperationKind::kSetRules:
      return ApplySetRules(model, txn);
    default:
      return Corrupt(txn, "not a structure change");
  }
}

}  // namespace quantatom
