// A model's rules, compiled and checked together: every cube's rules, the
// dependencies between them (across cubes), the order leaf rules are
// computed in, and the live cubes they read and write. Immutable once
// built; a change of rules or structure builds a new one.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quantatom/cube.h"
#include "rules/compiled.h"
#include "rules/compiler.h"
#include "rules/ref_plan.h"

namespace quantatom::rules {

class RuleSet {
 public:
  // Why a model's rules were refused: the error, and whose text it is in.
  struct Error {
    size_t cube = 0;
    RuleError error;
  };

  // Compiles `texts` (one per schema cube, "" for none) and checks them
  // together: rules of a cube computing the same cell, leaf rules reading
  // cells of consolidated rules, circular dependencies.
  static std::shared_ptr<RuleSet> Build(Schema schema, std::vector<std::string> texts,
                                        const CompileLimits& limits, Error* error);

  const Schema& schema() const { return schema_; }
  const std::string& text(size_t cube) const { return texts_[cube]; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // Indices into rules() of a cube's rules, in text order.
  const std::vector<size_t>& rules_of(size_t cube) const { return by_cube_[cube]; }
  // Every leaf rule, each after the leaf rules it reads.
  const std::vector<size_t>& leaf_order() const { return leaf_order_; }
  // Leaf rules with a reference into a cube.
  const std::vector<size_t>& readers_of(size_t cube) const { return readers_[cube]; }
  bool HasConsolidatedRules(size_t cube) const { return has_consolidated_[cube]; }
  // Every consolidated rule, each after the consolidated rules it reads.
  const std::vector<size_t>& consolidated_order() const { return consolidated_order_; }
  // How reference `ref` of rule `rule` maps atoms to the rule's cells.
  const RefPlan& plan(size_t rule, size_t ref) const { return plans_[rule][ref]; }

  // The live cubes (by schema index) the rules run on; nullptr once a
  // cube is gone (a structure change replaced it).
  void Bind(std::vector<std::weak_ptr<Cube>> cubes) { live_ = std::move(cubes); }
  std::shared_ptr<Cube> cube(size_t i) const {
    return i < live_.size() ? live_[i].lock() : nullptr;
  }

  // The rule computing a leaf cell (leaf ordinals) of a cube: a leaf rule,
  // or a consolidated rule whose area holds the cell.
  std::optional<size_t> RuleAtLeaf(size_t cube, const LeafOrdinal* leaves) const;
  // The consolidated rule computing a cell (any level), if any.
  std::optional<size_t> ConsolidatedRuleAt(size_t cube, const MemberId* coordinate) const;
  // "the leaf rule at line 3 ([Account: Revenue])"
  std::string Describe(size_t rule) const;

 private:
  Schema schema_;
  std::vector<std::string> texts_;
  std::vector<CompiledRule> rules_;
  std::vector<std::vector<size_t>> by_cube_, readers_;
  std::vector<size_t> leaf_order_, consolidated_order_;
  std::vector<std::vector<RefPlan>> plans_;
  std::vector<bool> has_consolidated_;
  std::vector<std::weak_ptr<Cube>> live_;
};

// The members a reference can read on each dimension of its cube, over
// the cells of its rule's area (flags by member id): what dependencies,
// security and stored-atom checks look at.
std::vector<std::vector<uint8_t>> ReadBox(const CompiledRule& rule, const CompiledRef& ref,
                                          const Schema& schema);

}  // namespace quantatom::rules
