// Writeback operations as transactions: each is planned on the commit
// thread, against the state right before it, in a group of its own, so the
// plan and its commit see the same atoms.
#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <system_error>

#include "db/apply.h"
#include "db/database_impl.h"
#include "model/cube_impl.h"
#include "rules/install.h"
#include "rules/rule_set.h"
#include "writeback/slice_plan.h"
#include "writeback/spread_plan.h"

namespace quantatom {
namespace {

using nlohmann::json;

using Planner = std::function<Result<std::vector<LeafChange>>()>;

// Cells named by member ids must fit the cube before anything names them.
Status CheckCells(const Cube& cube, const std::vector<Coordinate>& cells, const char* what) {
  const auto& dims = cube.dimensions();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].size() != dims.size())
      return Status::Invalid(std::string(what) + " #" + std::to_string(i + 1) + " needs " +
                             std::to_string(dims.size()) + " members, got " +
                             std::to_string(cells[i].size()));
    for (size_t d = 0; d < dims.size(); ++d)
      if (cells[i][d] >= dims[d]->size())
        return Status::NotFound(std::string(what) + " #" + std::to_string(i + 1) + ": member id " +
                                std::to_string(cells[i][d]) + " is not in dimension '" +
                                dims[d]->name() + "'");
  }
  return Status::Ok();
}

json NamesOf(const Cube& cube, const Coordinate& cell) {
  json names = json::array();
  for (size_t d = 0; d < cell.size(); ++d)
    names.push_back(cube.dimensions()[d]->member_name(cell[d]));
  return names;
}

json ChoiceJson(const MemberChoice& choice) {
  json out = json::object();
  for (const auto& [dim, member] : choice) out[dim] = member;
  return out;
}

json SpreadParameters(const Cube& cube, const SpreadRequest& r) {
  const SpreadSpec& s = r.spec;
  json p = {{"method", SpreadMethodName(s.method)}, {"action", SpreadActionName(s.action)}};
  if (s.method != SpreadMethod::kClear) p["value"] = s.value;
  if (s.method == SpreadMethod::kStraightLine || s.method == SpreadMethod::kGrowth)
    p["value2"] = s.value2;
  if (s.all_leaves) p["all_leaves"] = true;
  if (s.decimals >= 0) p["decimals"] = s.decimals;
  if (s.reference)
    p["reference"] = {{"cube", s.reference->cube}, {"members", ChoiceJson(s.reference->members)}};
  constexpr size_t kCellsLogged = 100;  // the deltas say the rest
  json cells = json::array();
  for (size_t i = 0; i < r.cells.size() && i < kCellsLogged; ++i)
    cells.push_back(NamesOf(cube, r.cells[i]));
  p["cells"] = std::move(cells);
  p["cells_count"] = r.cells.size();
  p["holds_count"] = r.holds.size();
  return p;
}

// Whether a rule reads the cube's cells: its changes then go the way replay
// takes them, which recomputes what they feed.
bool ReadByRules(const Model& model, const std::string& cube) {
  if (!model.rule_set()) return false;
  auto index = model.rule_set()->schema().Find(cube);
  return index && !model.rule_set()->readers_of(*index).empty();
}

// Submits a writeback transaction whose deltas `plan` computes on the
// commit thread.
Result<CommitResult> SubmitPlanned(Database::Impl& impl, std::shared_ptr<Cube> cube,
                                   OperationKind kind, std::string parameters,
                                   const CommitContext& ctx, Planner plan) {
  auto request = std::make_unique<CommitRequest>();
  request->context = ctx;
  request->alone = true;  // no earlier change of the group is pending: the plan reads the cube
  // The plan's changes with their keys packed, for the apply.
  auto planned = std::make_shared<std::vector<AtomChange>>();
  auto located = std::make_shared<std::future<std::optional<AtomStore::Located>>>();
  request->prepare = [cube, kind, parameters = std::move(parameters), plan = std::move(plan),
                      planned, located](Transaction& txn, Overlay&) -> Status {
    QA_ASSIGN_OR_RETURN(std::vector<LeafChange> changes, plan());
    std::vector<uint64_t> keys;
    keys.reserve(changes.size());
    for (const LeafChange& c : changes) keys.push_back(c.key);
    QA_RETURN_IF_ERROR(
        rules::RefuseRuleCells(*cube, keys, std::string("the ") + OperationKindName(kind)));
    txn.kind = kind;
    txn.cube = cube->name();
    txn.parameters = parameters;
    txn.deltas = DeltasOf(*cube, changes);
    planned->reserve(changes.size());
    for (const LeafChange& c : changes)
      planned->push_back({c.key, c.new_value.value_or(0), !c.new_value});
    // Where many changes go is found while the log is written, so the
    // apply only stores them; a few are applied the usual way.
    constexpr size_t kLocateAsideMin = 4096;
    if (planned->size() >= kLocateAsideMin) {
      try {
        *located = std::async(std::launch::async,
                              [cube, planned] { return cube->impl().LocateStored(*planned); });
      } catch (const std::system_error&) {  // no thread to be had: the usual way
      }
    }
    return Status::Ok();
  };
  // Equal in effect to replaying the deltas (tested), without unpacking and
  // checking their members again.
  request->apply = [cube, planned, located](Model& model, const Transaction& txn) -> Status {
    std::optional<AtomStore::Located> where = located->valid() ? located->get() : std::nullopt;
    const bool ascending =
        std::adjacent_find(planned->begin(), planned->end(), [](const auto& a, const auto& b) {
          return a.key >= b.key;
        }) == planned->end();
    if (ReadByRules(model, cube->name()) || model.FindCube(cube->name()) != cube || !ascending)
      return ApplyTransaction(model, txn);
    cube->impl().ApplyStored(where, std::move(*planned));
    return Status::Ok();
  };
  return impl.Submit(std::move(request));
}

}  // namespace

Result<CommitResult> Database::Spread(const std::string& cube_name, const SpreadRequest& request,
                                      const CommitContext& ctx, const WritebackAccess& access) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  QA_RETURN_IF_ERROR(ValidateSpreadSpec(request.spec));
  QA_RETURN_IF_ERROR(CheckCells(*cube, request.cells, "target cell"));
  QA_RETURN_IF_ERROR(CheckCells(*cube, request.holds, "held cell"));
  std::shared_ptr<Cube> reference;
  if (request.spec.reference) {
    const std::string& name = request.spec.reference->cube;
    reference = name.empty() ? cube : impl_->LookupCube(name);
    if (!reference) return Status::NotFound("reference: unknown cube '" + name + "'");
  }
  const SpreadLimits limits = impl_->options.writeback_limits;
  Impl* impl = impl_.get();
  return SubmitPlanned(*impl_, cube, OperationKind::kSpread,
                       SpreadParameters(*cube, request).dump(), ctx,
                       [impl, cube, reference, request, limits, access, user = ctx.user] {
                         // The user's own holds on the cube count too.
                         SpreadRequest r = request;
                         {
                           std::shared_lock lock(impl->structure_mu);
                           for (Coordinate& h : impl->model.workspaces().Holds(user, cube->name()))
                             r.holds.push_back(std::move(h));
                         }
                         return PlanSpread(*cube, reference.get(), r, limits, access);
                       });
}

Result<CommitResult> Database::CopySlice(const std::string& cube_name, const SliceCopy& copy,
                                         const CommitContext& ctx, const WritebackAccess& access) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  json p = {{"source", ChoiceJson(copy.source.members)},
            {"target", ChoiceJson(copy.target)},
            {"factor", copy.factor},
            {"replace", copy.replace}};
  const SpreadLimits limits = impl_->options.writeback_limits;
  return SubmitPlanned(
      *impl_, cube, OperationKind::kCopySlice, p.dump(), ctx,
      [cube, copy, limits, access] { return PlanSliceCopy(*cube, copy, limits, access); });
}

Result<CommitResult> Database::ClearSlice(const std::string& cube_name, const Slice& slice,
                                          const CommitContext& ctx, const WritebackAccess& access) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  json p = {{"slice", ChoiceJson(slice.members)}};
  const SpreadLimits limits = impl_->options.writeback_limits;
  return SubmitPlanned(
      *impl_, cube, OperationKind::kClearSlice, p.dump(), ctx,
      [cube, slice, limits, access] { return PlanSliceClear(*cube, slice, limits, access); });
}

Result<CommitResult> Database::Allocate(const std::string& cube_name, const Allocation& allocation,
                                        const CommitContext& ctx, const WritebackAccess& access) {
  auto cube = impl_->LookupCube(cube_name);
  if (!cube) return Status::NotFound("unknown cube '" + cube_name + "'");
  if (allocation.source) QA_RETURN_IF_ERROR(CheckCells(*cube, {*allocation.source}, "source"));
  auto driver = allocation.driver_cube.empty() ? cube : impl_->LookupCube(allocation.driver_cube);
  if (!driver) return Status::NotFound("driver: unknown cube '" + allocation.driver_cube + "'");
  json p = {{"targets", ChoiceJson(allocation.targets.members)},
            {"driver_cube", driver->name()},
            {"driver_members", ChoiceJson(allocation.driver_members)}};
  if (allocation.amount) p["amount"] = *allocation.amount;
  if (allocation.source) p["source"] = NamesOf(*cube, *allocation.source);
  if (allocation.move_source) p["move_source"] = true;
  if (allocation.decimals >= 0) p["decimals"] = allocation.decimals;
  const SpreadLimits limits = impl_->options.writeback_limits;
  return SubmitPlanned(*impl_, cube, OperationKind::kAllocate, p.dump(), ctx,
                       [cube, driver, allocation, limits, access] {
                         return PlanAllocation(*cube, *driver, allocation, limits, access);
                       });
}

}  // namespace quantatom
