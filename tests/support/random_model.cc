#include "support/random_model.h"

#include <cmath>

namespace quantatom::testing {

std::shared_ptr<const Dimension> RandomDimension(std::mt19937_64& rng, const std::string& name,
                                                 int members_max) {
  static const double kWeights[] = {1, -1, 0.5, 2, -0.25};
  std::uniform_int_distribution<int> count(2, members_max);
  int n = count(rng);
  DimensionBuilder b(name);
  for (int i = 0; i < n; ++i) {
    std::string member = name + "_" + std::to_string(i);
    b.AddMember(member);
    if (i == 0 || rng() % 4 == 0) continue;  // a root
    int parents = 1 + (rng() % 3 == 0);
    int first = static_cast<int>(rng() % i);
    for (int p = 0; p < parents; ++p) {
      int parent = p == 0 ? first : static_cast<int>(rng() % i);
      if (p == 1 && parent == first) break;
      b.AddLink(member, name + "_" + std::to_string(parent), kWeights[rng() % 5]);
    }
  }
  auto dim = std::move(b).Build();
  return dim.ok() ? *dim : nullptr;
}

std::optional<double> PathWeight(const Dimension& dim, MemberId member, MemberId leaf) {
  if (member == leaf) return 1.0;
  std::optional<double> total;
  for (const WeightedLink& c : dim.children(member)) {
    if (auto w = PathWeight(dim, c.member, leaf)) total = total.value_or(0) + c.weight * *w;
  }
  return total;
}

std::optional<double> OracleCell(const std::vector<std::shared_ptr<const Dimension>>& dims,
                                 const OracleAtoms& atoms, const Coordinate& cell) {
  std::optional<double> sum;
  for (const auto& [leaves, value] : atoms) {
    double w = value;
    bool below = true;
    for (size_t d = 0; d < dims.size() && below; ++d) {
      auto pw = PathWeight(*dims[d], cell[d], dims[d]->leaf_member(leaves[d]));
      below = pw.has_value();
      if (below) w *= *pw;
    }
    if (below) sum = sum.value_or(0) + w;
  }
  return sum;
}

bool NearlyEqual(double a, double b) {
  double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= 1e-9 * scale;
}

}  // namespace quantatom::testing
