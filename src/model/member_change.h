// A MemberChange (quantatom/structure.h) applied to a dimension: the new
// dimension, with every existing member at its id. Pure: the data rule and
// the cubes are the database's business (src/db/structure_change.cc).
#pragma once

#include <memory>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "quantatom/structure.h"

namespace quantatom {

// Errors name the member: kNotFound for an unknown member or parent,
// kAlreadyExists for a name or alias taken by another member, kInvalidArgument
// for a bad name, weight or a parent given twice, kFailedPrecondition for a
// move that would make a cycle or a delete of the last member.
Result<std::shared_ptr<const Dimension>> ApplyMemberChange(const Dimension& dim,
                                                           const MemberChange& change);

// Members that are leaves of `before` but not of `after` (deleted, or
// consolidated now): their atoms would have nowhere to stay.
std::vector<MemberId> LeavesLost(const Dimension& before, const Dimension& after);

}  // namespace quantatom
