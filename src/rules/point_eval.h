// Computing a rule at given cells ("points"): the references of each cell
// are read one by one through a CellReader (atoms by key, consolidated
// cells by coordinate), then the expression runs over all cells at once.
// Incremental recalculation and consolidated rules at read time use it.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "quantatom/status.h"
#include "rules/kernel.h"
#include "rules/rule_set.h"

namespace quantatom::rules {

class CellReader {
 public:
  virtual ~CellReader() = default;
  // Atoms (stored or derived) of schema cube `cube` at storage keys.
  virtual Status Atoms(size_t cube, std::span<const uint64_t> keys,
                       std::vector<std::optional<double>>& out) = 0;
  // Cells of any level (consolidated rules computed).
  virtual Status Cells(size_t cube, std::span<const Coordinate> cells,
                       std::vector<std::optional<double>>& out) = 0;
};

// The rule at each cell of `coordinates` (row-major, a member per
// dimension of the rule's cube).
Result<Column> EvaluateAt(const RuleSet& set, const CompiledRule& rule,
                          const std::vector<MemberId>& coordinates, CellReader& reader);

// The cells a reference reads for each computed cell: per row, the source
// coordinate, or empty when the reference reads nothing there.
std::vector<std::optional<Coordinate>> ReferencedCells(const RuleSet& set, const CompiledRule& rule,
                                                       const CompiledRef& ref,
                                                       const std::vector<MemberId>& coordinates);

}  // namespace quantatom::rules
