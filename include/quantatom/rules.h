// Rules: formulas that compute cells of a cube from other cells, written in
// a small language (docs/rules.md). A leaf rule computes leaf cells, which
// are then kept and consolidated exactly like stored atoms (Revenue = Units
// x Price); a consolidated rule computes the cells of its area at every
// level when they are read, and is never summed (Margin % = Margin /
// Revenue). The engine finds which cells a rule can make non-empty from the
// rule itself (no feeders), and after every change recomputes only the
// derived cells the change reaches, before the change is acknowledged.
// Cells computed by rules are read-only.
//
// A Database keeps each cube's rules in its model and log
// (Database::SetRules). The functions below serve a model kept in memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/model.h"
#include "quantatom/status.h"
#include "quantatom/write_batch.h"

namespace quantatom {

// The verdict on a rules text. A refusal's message starts with
// "line L, column C: " when it has a place; `excerpt` then shows that line
// and a caret under the column.
//   kInvalidArgument: a syntax error, an unknown cube, dimension, member or
//     attribute, a type error (text where a number belongs);
//   kFailedPrecondition: a circular dependency (naming every rule of the
//     cycle, across cubes), two rules computing the same cell, a leaf rule
//     whose cells could all be non-empty over more than the limit.
struct RuleCheck {
  Status status;
  size_t line = 0, column = 0;  // 1-based; 0 when the error has no one place
  std::string excerpt;
};

// Checks `text` as the rules of `cube` against `model` and the rules its
// other cubes have. Changes nothing.
RuleCheck CheckRules(const Model& model, std::string_view cube, std::string_view text);

// For a model kept in memory (a Database does this on every commit):
// replaces the rules of `cube` ("" removes them) and computes every cell
// the model's rules derive. Refused as CheckRules refuses, and with
// kConflict when stored atoms lie in cells the rules would compute.
Status SetRules(Model& model, std::string_view cube, std::string text);
// Writes `batch` into `cube` (as Cube::Write) and recomputes the derived
// cells it reaches before returning.
Status WriteWithRules(Model& model, std::string_view cube, const WriteBatch& batch);

// One rule of a cube, for listings.
struct RuleSummary {
  size_t line = 0;
  std::string kind;          // "leaf" or "consolidated"
  std::string target;        // the area as written, e.g. "[Account: Revenue]"
  size_t derived_atoms = 0;  // a leaf rule's atoms, as now computed
};
// The installed rules of `cube`, in text order (none when it has none).
std::vector<RuleSummary> DescribeRules(const Model& model, std::string_view cube);

}  // namespace quantatom
