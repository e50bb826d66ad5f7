// Random small models and a brute-force oracle for consolidation, shared by
// the property tests.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/dimension.h"

namespace quantatom::testing {

// Random hierarchy: members in order, each either a root or linked to one
// or two earlier members (so shared members occur), with weights drawn from
// {1, -1, 0.5, 2, -0.25}.
std::shared_ptr<const Dimension> RandomDimension(std::mt19937_64& rng, const std::string& name,
                                                 int members_max);

// Atoms as the oracle keeps them: leaf ordinal per dimension -> value.
using OracleAtoms = std::map<std::vector<LeafOrdinal>, double>;

// Weight of `leaf` under `member` by enumerating every path, or nullopt
// when no path leads there. Independent of Dimension::leaf_weights.
std::optional<double> PathWeight(const Dimension& dim, MemberId member, MemberId leaf);

// The value of any cell by scanning every atom; nullopt when empty.
std::optional<double> OracleCell(const std::vector<std::shared_ptr<const Dimension>>& dims,
                                 const OracleAtoms& atoms, const Coordinate& cell);

bool NearlyEqual(double a, double b);

}  // namespace quantatom::testing
