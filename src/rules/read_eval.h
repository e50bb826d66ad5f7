// Consolidated rules at read time: the hook a cube with rules reads
// through (model/cube_rules_hook.h). A read of cells some consolidated rule
// computes first finds every cell those rules read (through chains of
// rules of the same cube), reads all of the cube's own cells under one
// read lock, the other cubes' cells through their own reads, then computes
// the rules' cells, each rule after the rules it reads.
#pragma once

#include <memory>

#include "model/cube_rules_hook.h"
#include "rules/rule_set.h"

namespace quantatom::rules {

class RulesHook final : public CubeRulesHook {
 public:
  RulesHook(std::shared_ptr<const RuleSet> set, size_t cube) : set_(std::move(set)), cube_(cube) {}
  std::string RuleAtLeaf(const LeafOrdinal* leaves) const override;
  bool HasConsolidatedRules() const override { return set_->HasConsolidatedRules(cube_); }
  Result<std::vector<CellAggregate>> Read(const Cube::Impl& cube,
                                          const std::vector<Coordinate>& cells,
                                          std::span<const SandboxCell> overlay) const override;
  const RuleSet& set() const { return *set_; }
  size_t cube() const { return cube_; }

 private:
  std::shared_ptr<const RuleSet> set_;
  size_t cube_;
};

// Cells one read may involve at most, the cells rules read included.
inline constexpr size_t kReadCellsMax = 10'000'000;

}  // namespace quantatom::rules
