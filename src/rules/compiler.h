// From the syntax tree to compiled rules: names resolved against the cubes
// of a schema, references turned into member maps, navigation and sums
// expanded, types checked, each rule's support derived.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/cube.h"
#include "rules/ast.h"
#include "rules/compiled.h"

namespace quantatom::rules {

// A cube as the compiler sees it: its name and dimensions (a structure
// change is checked against the dimensions it would leave).
struct SchemaCube {
  std::string name;
  std::vector<std::shared_ptr<const Dimension>> dims;
};

struct Schema {
  std::vector<SchemaCube> cubes;
  std::optional<size_t> Find(std::string_view name) const;
};

struct CompileLimits {
  // A leaf rule whose cells could all be non-empty (a constant) over more
  // cells than this is refused.
  size_t dense_cells_max = 1'000'000;
  // Nodes and references one rule may expand into (YTD, CUMUL and SUM
  // repeat their expression per period or member).
  size_t nodes_max = 200'000;
  size_t refs_max = 20'000;
};

struct CompiledRules {
  std::vector<CompiledRule> rules;
  std::optional<RuleError> error;
};

// Compiles the statements of the rules of schema cube `cube`.
CompiledRules Compile(const Schema& schema, size_t cube, const std::vector<Statement>& statements,
                      const CompileLimits& limits = {});

}  // namespace quantatom::rules
