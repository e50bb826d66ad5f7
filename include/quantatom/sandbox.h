// Sandboxes and offline edits (ICH): a named, private overlay of one cube's
// leaf cells. Reads through a sandbox see the base plus its cells while the
// base keeps moving; a commit applies its cells as one transaction, checking
// cell by cell for changes made to the base since the sandbox started
// (docs/writeback.md).
#pragma once

#include <cstdint>
#include <map>
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
  uint64_t sequence = 0;         // the base's last change to the cell
  std::string user;              // who made it
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

// A sandbox as the model keeps it.
struct Sandbox {
  std::string owner, name, cube;
  uint64_t base_sequence = 0;  // the base it started from: changes after it may conflict
  uint64_t changed_at = 0;     // the last transaction that changed its cells
  std::map<Coordinate, std::optional<double>> cells;  // leaf cell -> its value here
};

// What users keep beside the model's shared data: held cells and
// sandboxes. Changed by logged transactions like the model, so it survives
// restarts; private to its user (kept out of the change feed and history).
// REQUIRES: external synchronization, as for the Model that holds it.
class Workspaces {
 public:
  // The cells `user` holds on `cube` (case-insensitive), in the order held.
  std::vector<Coordinate> Holds(std::string_view user, std::string_view cube) const;
  void SetHolds(std::string_view user, std::string_view cube, std::vector<Coordinate> cells);

  const Sandbox* FindSandbox(std::string_view owner, std::string_view name) const;
  // The sandbox of that name, made over `cube` from `base_sequence` when new.
  Sandbox& OpenSandbox(std::string_view owner, std::string_view name, std::string_view cube,
                       uint64_t base_sequence);
  bool RemoveSandbox(std::string_view owner, std::string_view name);
  std::vector<const Sandbox*> SandboxesOf(std::string_view owner) const;  // by name

  // Forgets the holds and sandboxes of a deleted cube.
  void DropCube(std::string_view cube);

  // Every hold and sandbox, for snapshots.
  struct HoldList {
    std::string user, cube;
    std::vector<Coordinate> cells;
  };
  std::vector<HoldList> AllHolds() const;
  std::vector<const Sandbox*> AllSandboxes() const;

 private:
  // (user, folded cube) -> held cells; (owner, folded sandbox name) -> it.
  std::map<std::pair<std::string, std::string>, HoldList> holds_;
  std::map<std::pair<std::string, std::string>, Sandbox> sandboxes_;
};

}  // namespace quantatom
