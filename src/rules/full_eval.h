// A leaf rule computed over its whole area at once (a full
// recalculation): each reference's atoms are scanned and sent to the cells
// they feed (summed where several feed one), the cells the rule can make
// non-empty follow from the rule's support, and the expression runs over
// them partition by partition, in parallel.
#pragma once

#include <vector>

#include "quantatom/status.h"
#include "rules/rule_set.h"
#include "store/atom_store.h"

namespace quantatom::rules {

// The derived atoms of leaf rule `rule` as partitions of its cube's
// layout, ids ascending. REQUIRES: no lock of the cubes held.
Result<std::vector<Partition>> ComputeLeafRule(const RuleSet& set, size_t rule);

}  // namespace quantatom::rules
