// Sandboxes and offline edits (ICH): a named, private overlay of one cube's
// leaf cells. Reads through a sandbox see the base plus its cells while the
// base keeps moving; a commit applies its cells as one transaction, checking
// cell by cell for changes made to the base since the sandbox started
// (docs/writeback.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/write_batch.h"

namespace quantatom {

// What a commit does with a cell the sandbox changed that the base changed
// too since the sandbox started.
enum class ConflictPolicy : uint8_t {
  kRefuse,       // nothing is committed; the conflicts are reported
  kKeepMine,     // the sandbox's value wins
  kKeepTheirs,   // the base's value stays
  kMergeDeltas,  // the sandbox's change is added to the base's value (additive numbers)
};
const char* ConflictPolicyName(ConflictPolicy policy);  // "refuse", "mine", "theirs", "merge"
std::optional<ConflictPolicy> ParseConflictPolicy(std::string_view name);

// A leaf cell the sandbox set (nullopt: emptied).
struct SandboxCell {
  Coordinate cell;
  std::optional<double> value;
};

struct CellConflict {
  Coordinate cell;
  std::optional<double> base;    // when the sandbox started
  std::optional<double> mine;    // the sandbox's
  std::optional<double> theirs;  // the base's now
  std::optional<double> result;  // what the commit leaves there
};

struct MergeReport {
  uint64_t sequence = 0;  // the commit's transaction; 0 when refused
  bool refused = false;   // kRefuse met a conflict: nothing was committed
  size_t cells_applied = 0;
  std::vector<CellConflict> conflicts;
};

struct SandboxInfo {
  std::string owner, name, cube;
  uint64_t base_sequence = 0;  // the base it started from
  size_t cells = 0;
};

}  // namespace quantatom
