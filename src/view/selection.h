// Evaluates an axis selection (see AxisDimension in quantatom/view.h) into
// the ordered members of one dimension.
#pragma once

#include <string>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "quantatom/view.h"

namespace quantatom {

// Selections larger than this are refused (kLimitExceeded).
inline constexpr size_t kSelectionMembersMax = 1'000'000;

Result<std::vector<HeaderMember>> EvaluateSelection(const Dimension& dim,
                                                    const std::vector<std::string>& terms,
                                                    HierarchyOrder order);

}  // namespace quantatom
