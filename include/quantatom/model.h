// A model: named dimensions, the cubes built over them, and the views saved
// on each cube.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/dimension.h"
#include "quantatom/sandbox.h"
#include "quantatom/status.h"

namespace quantatom {

namespace rules {
class RuleSet;  // a model's rules, compiled (src/rules/rule_set.h)
}  // namespace rules

// The rules of a cube (docs/rules.md) as saved: their text as given, who
// saved it and in which transaction.
struct CubeRules {
  std::string cube;
  std::string text;
  std::string user;
  uint64_t sequence = 0;
};

// A view saved on a cube under a name: its view JSON (docs/view.md) as
// given, who saved it and in which transaction.
struct SavedView {
  std::string name;
  std::string view;
  std::string user;
  uint64_t sequence = 0;
};

// REQUIRES: external synchronization for the changing calls; lookups are
// safe to run concurrently with each other.
class Model {
 public:
  Status AddDimension(std::shared_ptr<const Dimension> dim);
  // `created_sequence`: the transaction that created the cube (0 outside a
  // data directory), so a reader of the log can tell a cube's transactions
  // from those of a deleted cube of the same name.
  Status AddCube(std::shared_ptr<Cube> cube, uint64_t created_sequence = 0);
  // Puts a new version of a dimension (or cube) in the place of the one of
  // the same name; kNotFound when there is none.
  Status ReplaceDimension(std::shared_ptr<const Dimension> dim);
  Status ReplaceCube(std::shared_ptr<Cube> cube);
  // Removes them (a cube with its saved views and rules); kNotFound when absent.
  Status RemoveDimension(std::string_view name);
  Status RemoveCube(std::string_view name);

  // By name, case-insensitive; nullptr when unknown.
  std::shared_ptr<const Dimension> FindDimension(std::string_view name) const;
  std::shared_ptr<Cube> FindCube(std::string_view name) const;
  Result<std::shared_ptr<Cube>> GetCube(std::string_view name) const;
  // The sequence that created the cube of that name (0: unknown).
  uint64_t CubeCreatedSequence(std::string_view name) const;

  // Saved views of a cube, by name (case-insensitive): SetView adds or
  // replaces one, RemoveView removes it (kNotFound when absent).
  Status SetView(std::string_view cube, SavedView view);
  Status RemoveView(std::string_view cube, std::string_view name);
  std::vector<SavedView> Views(std::string_view cube) const;  // in name order

  // The rules text of each cube, as saved (quantatom/rules.h checks and
  // installs them): SetRulesText replaces a cube's (an empty text removes
  // them); RulesText is nullopt for a cube without rules.
  Status SetRulesText(CubeRules rules);
  std::optional<CubeRules> RulesText(std::string_view cube) const;
  std::vector<CubeRules> AllRulesText() const;  // in cube order
  // The rules compiled against this model and installed on its cubes
  // (nullptr: none installed, e.g. while a log is replayed).
  const std::shared_ptr<const rules::RuleSet>& rule_set() const { return rule_set_; }
  void set_rule_set(std::shared_ptr<const rules::RuleSet> rules) { rule_set_ = std::move(rules); }

  const std::vector<std::shared_ptr<const Dimension>>& dimensions() const { return dims_; }
  const std::vector<std::shared_ptr<Cube>>& cubes() const { return cubes_; }

  // Users' held cells and sandboxes (quantatom/sandbox.h).
  Workspaces& workspaces() { return workspaces_; }
  const Workspaces& workspaces() const { return workspaces_; }

 private:
  std::vector<std::shared_ptr<const Dimension>> dims_;
  std::vector<std::shared_ptr<Cube>> cubes_;
  std::map<std::string, uint64_t> cube_created_;  // folded cube name -> sequence
  // Folded cube name -> folded view name -> the view.
  std::map<std::string, std::map<std::string, SavedView>> views_;
  Workspaces workspaces_;
  std::map<std::string, CubeRules> rules_;  // folded cube name -> its rules
  std::shared_ptr<const rules::RuleSet> rule_set_;
};

}  // namespace quantatom
