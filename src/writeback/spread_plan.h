// Computing a spread: the leaf changes it makes, from the cube's current
// atoms, before anything is logged (quantatom/spread.h has the methods).
#pragma once

#include <vector>

#include "quantatom/spread.h"
#include "writeback/leaf_change.h"

namespace quantatom {

// Changes nothing. `reference` is the cube holding a relative spread's
// reference cell (`cube` itself unless the reference names another),
// nullptr for the other methods. Changes come keys ascending, each leaf
// once, unchanged leaves left out. Refused (kPermissionDenied) naming the
// cells when `access` refuses a leaf that would change or the reference.
Result<std::vector<LeafChange>> PlanSpread(const Cube& cube, const Cube* reference,
                                           const SpreadRequest& request, const SpreadLimits& limits,
                                           const WritebackAccess& access);

}  // namespace quantatom
