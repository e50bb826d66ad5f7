// The rules figures (issue 7) on planbench: a cube of planbench's
// dimensions and a Measure (Amount, Units, Price, Margin %) where every
// Revenue atom becomes Units and Price whose product is its value, a leaf
// rule Amount = Units x Price over every Revenue leaf, and a consolidated
// Margin % rule. Reported: the full recalculation of every derived atom,
// an edit of one input followed by a re-read of GRID_SMALL (now over
// derived Revenue, checked against the generator's expected answer and
// the edit), a Margin % grid, and memory per derived atom against per
// stored atom. In memory, as planbench's EDIT_RECALC.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/status.h"

namespace quantatom::bench {

struct RulesBenchOptions {
  std::string planbench_dir;  // made by gen_planbench.py
  int recalculations = 3;
  int edit_cycles = 100;
};

Result<nlohmann::ordered_json> RunRulesBench(const RulesBenchOptions& options);

}  // namespace quantatom::bench
