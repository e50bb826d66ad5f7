// Evaluates an axis selection (see AxisDimension in quantatom/view.h) into
// the ordered members of one dimension.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "quantatom/view.h"

namespace quantatom {

// Selections larger than this are refused (kLimitExceeded).
inline constexpr size_t kSelectionMembersMax = 1'000'000;

// `visible`, when set, refuses members that names must not resolve to
// (they are unknown, as if absent); selections still walk through them.
Result<std::vector<HeaderMember>> EvaluateSelection(
    const Dimension& dim, const std::vector<std::string>& terms, HierarchyOrder order,
    const std::function<bool(MemberId)>& visible = nullptr);

// The members the terms name, as EvaluateSelection reads them: a term that
// is a member's name or alias, or the argument of a function. Names of no
// member are left out.
std::vector<MemberId> NamedMembers(const Dimension& dim, const std::vector<std::string>& terms);

}  // namespace quantatom
