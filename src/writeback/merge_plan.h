// Committing a sandbox (or an offline client's edits) over a base that
// moved: which cells conflict and what each policy writes.
#pragma once

#include <map>
#include <unordered_map>
#include <vector>

#include "quantatom/sandbox.h"
#include "writeback/leaf_change.h"

namespace quantatom {

struct MergeInput {
  std::vector<SandboxCell> mine;  // leaf cells, each once
  // Per storage key the base changed after the sandbox started: its value
  // then (the old value of the first such change) and the last change.
  struct BaseChange {
    std::optional<double> before;
    uint64_t sequence = 0;
    std::string user;
  };
  std::unordered_map<uint64_t, BaseChange> changed_since;
};

struct MergePlan {
  std::vector<LeafChange> changes;  // keys ascending; empty when refused
  std::vector<CellConflict> conflicts;
  bool refused = false;
};

// Reads the base's current values from `cube`; changes nothing.
Result<MergePlan> PlanMerge(const Cube& cube, const MergeInput& input, ConflictPolicy policy);

}  // namespace quantatom
