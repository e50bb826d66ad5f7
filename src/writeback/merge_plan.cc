#include "writeback/merge_plan.h"

#include <cmath>

namespace quantatom {
namespace {

// The merge of an additive change: my difference from the base I started
// from, added to theirs. Emptying a cell is no difference: it stays mine.
std::optional<double> Merged(const std::optional<double>& base, const std::optional<double>& mine,
                             const std::optional<double>& theirs) {
  if (!mine) return std::nullopt;
  return theirs.value_or(0) + (*mine - base.value_or(0));
}

std::optional<double> Resolve(ConflictPolicy policy, const CellConflict& c) {
  switch (policy) {
    case ConflictPolicy::kKeepMine:
      return c.mine;
    case ConflictPolicy::kKeepTheirs:
    case ConflictPolicy::kRefuse:
      return c.theirs;
    case ConflictPolicy::kMergeDeltas:
      return Merged(c.base, c.mine, c.theirs);
  }
  return c.theirs;
}

}  // namespace

const char* ConflictPolicyName(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kKeepMine:
      return "mine";
    case ConflictPolicy::kKeepTheirs:
      return "theirs";
    case ConflictPolicy::kMergeDeltas:
      return "merge";
    case ConflictPolicy::kRefuse:
      break;
  }
  return "refuse";
}

std::optional<ConflictPolicy> ParseConflictPolicy(std::string_view name) {
  for (ConflictPolicy p : {ConflictPolicy::kRefuse, ConflictPolicy::kKeepMine,
                           ConflictPolicy::kKeepTheirs, ConflictPolicy::kMergeDeltas})
    if (name == ConflictPolicyName(p)) return p;
  return std::nullopt;
}

Result<MergePlan> PlanMerge(const Cube& cube, const MergeInput& input, ConflictPolicy policy) {
  const auto& dims = cube.dimensions();
  std::vector<uint64_t> keys;
  keys.reserve(input.mine.size());
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (const SandboxCell& c : input.mine) {
    if (c.cell.size() != dims.size())
      return Status::Invalid("a sandbox cell of cube '" + cube.name() + "' needs " +
                             std::to_string(dims.size()) + " members");
    for (size_t d = 0; d < dims.size(); ++d) {
      if (c.cell[d] >= dims[d]->size() || !dims[d]->is_leaf(c.cell[d]))
        return Status::Precondition("sandbox cell " + DescribeCell(cube, c.cell) +
                                    " is no longer a leaf cell of cube '" + cube.name() + "'");
      leaves[d] = dims[d]->leaf_ordinal(c.cell[d]);
    }
    keys.push_back(cube.PackLeaves(leaves));
  }
  const std::vector<std::optional<double>> now = cube.ReadAtoms(keys);
  MergePlan plan;
  for (size_t i = 0; i < keys.size(); ++i) {
    const SandboxCell& c = input.mine[i];
    std::optional<double> result = c.value;
    if (auto it = input.changed_since.find(keys[i]); it != input.changed_since.end()) {
      CellConflict conflict{c.cell,       it->second.before,   c.value,        now[i],
                            std::nullopt, it->second.sequence, it->second.user};
      conflict.result = Resolve(policy, conflict);
      result = conflict.result;
      plan.conflicts.push_back(std::move(conflict));
    }
    if (result && !std::isfinite(*result))
      return Status::Invalid("merging cell " + DescribeCell(cube, c.cell) +
                             " gives a value that is not finite");
    plan.changes.push_back({keys[i], now[i], result});
  }
  if (policy == ConflictPolicy::kRefuse && !plan.conflicts.empty()) {
    plan.refused = true;
    plan.changes.clear();
    return plan;
  }
  NormalizeChanges(plan.changes);
  return plan;
}

}  // namespace quantatom
