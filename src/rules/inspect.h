// What the server asks of a cube's rules: which cells they compute (shown
// read-only), which cells they read for one (a reader must be able to read
// those too), and which cubes a rules text reads (to authorize saving it).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantatom/cube.h"

namespace quantatom::rules {

// Whether a rule computes `cell` (any level): a rule at a leaf cell of its
// area, a consolidated rule at any cell of its area.
bool ComputedByRule(const Cube& cube, const Coordinate& cell);

// The cells the rules read to compute `cell` (none when no rule computes
// it), each with its cube; a cell read that a consolidated rule computes
// brings in the cells its rule reads in turn. An elimination leaf reads its
// parent's cell.
std::vector<std::pair<std::shared_ptr<Cube>, Coordinate>> RuleInputs(const Cube& cube,
                                                                     const Coordinate& cell);

// The other cubes a rules text reads (by name as written; none when the
// text does not parse).
std::vector<std::string> CubesNamedIn(std::string_view text);

}  // namespace quantatom::rules
