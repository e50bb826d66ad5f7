// The cells a spread's range really spreads to.
#pragma once

#include <vector>

#include "quantatom/cube.h"

namespace quantatom {

// The range's cells in order, without repeats and without the cells that
// lie above another cell of the range (a row holding months and their year
// spreads to the months). Two cells that share leaves without one lying
// beneath the other are refused, naming them.
Result<std::vector<Coordinate>> NormalizeRange(const Cube& cube,
                                               const std::vector<Coordinate>& cells,
                                               size_t cells_max);

}  // namespace quantatom
