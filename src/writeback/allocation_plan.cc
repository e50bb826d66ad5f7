// Driver-based allocation: an amount shared among target leaves in
// proportion to a driver cell of each.
#include <cmath>

#include "writeback/slice_plan.h"
#include "writeback/spread_cell.h"

namespace quantatom {
namespace {

// Which target dimension feeds each driver dimension (SIZE_MAX: a fixed
// member instead), and the fixed members.
struct DriverMap {
  std::vector<size_t> from_target;
  Coordinate fixed;
};

Result<DriverMap> MapDriver(const Cube& cube, const Cube& driver, const MemberChoice& members) {
  const auto& ddims = driver.dimensions();
  DriverMap map{std::vector<size_t>(ddims.size(), SIZE_MAX), Coordinate(ddims.size(), 0)};
  std::vector<bool> named(ddims.size(), false);
  for (const auto& [dim_name, member] : members) {
    auto d = driver.DimensionIndex(dim_name);
    if (!d)
      return Status::NotFound("allocation driver: cube '" + driver.name() + "' has no dimension '" +
                              dim_name + "'");
    auto m = ddims[*d]->Find(member);
    if (!m)
      return Status::NotFound("allocation driver: unknown member '" + member + "' of dimension '" +
                              dim_name + "'");
    map.fixed[*d] = *m;
    named[*d] = true;
  }
  for (size_t k = 0; k < ddims.size(); ++k) {
    if (named[k]) continue;
    auto t = cube.DimensionIndex(ddims[k]->name());
    if (!t || cube.dimensions()[*t] != ddims[k])
      return Status::Invalid("allocation driver: dimension '" + ddims[k]->name() + "' of cube '" +
                             driver.name() + "' is not in cube '" + cube.name() +
                             "'; name its member in driver_members");
    map.from_target[k] = *t;
  }
  return map;
}

// Odometer over per-dimension lists: the last dimension varies fastest.
bool Next(std::vector<size_t>& at, const std::vector<size_t>& sizes) {
  for (size_t d = at.size(); d-- > 0;) {
    if (++at[d] < sizes[d]) return true;
    at[d] = 0;
  }
  return false;
}

Status CheckReadable(const Cube& cube, const std::vector<Coordinate>& cells,
                     const CubeCellFilter& readable) {
  if (!readable) return Status::Ok();
  for (const Coordinate& c : cells)
    if (!readable(cube, c))
      return Status::Denied("the allocation reads cell " + DescribeCell(cube, c) + " of cube '" +
                            cube.name() + "', which you may not read");
  return Status::Ok();
}

Result<double> AmountOf(const Cube& cube, const Allocation& a, const CubeCellFilter& readable) {
  if (a.amount) {
    if (!std::isfinite(*a.amount)) return Status::Invalid("allocation: the amount must be finite");
    return *a.amount;
  }
  if (!a.source) return Status::Invalid("allocation: give an amount or a source cell");
  QA_RETURN_IF_ERROR(CheckReadable(cube, {*a.source}, readable));
  QA_ASSIGN_OR_RETURN(std::optional<double> v, cube.ReadCell(*a.source));
  if (!v)
    return Status::Precondition("allocation: source cell " + DescribeCell(cube, *a.source) +
                                " is empty; there is nothing to allocate");
  return *v;
}

// The source leaf emptied when the amount moves from it to the targets.
Status MoveSource(const Cube& cube, const Allocation& a,
                  const std::vector<std::vector<LeafOrdinal>>& target_leaves,
                  std::vector<LeafChange>& changes) {
  const auto& dims = cube.dimensions();
  const Coordinate& s = *a.source;
  bool inside = true;
  LeafOrdinal leaves[kCubeDimensionsMax];
  for (size_t d = 0; d < dims.size(); ++d) {
    if (!dims[d]->is_leaf(s[d]))
      return Status::Invalid("allocation: only a leaf source can be moved; " +
                             DescribeCell(cube, s) + " is consolidated");
    leaves[d] = dims[d]->leaf_ordinal(s[d]);
    const auto& t = target_leaves[d];
    inside = inside && std::find(t.begin(), t.end(), leaves[d]) != t.end();
  }
  if (inside)
    return Status::Invalid("allocation: the source " + DescribeCell(cube, s) +
                           " is one of the targets; it cannot be moved");
  const uint64_t key = cube.PackLeaves(leaves);
  auto old_value = cube.ReadAtoms({&key, 1})[0];
  if (old_value) changes.push_back({key, old_value, std::nullopt});
  return Status::Ok();
}

// The target leaves per dimension; refused past the limit.
Result<std::vector<std::vector<LeafOrdinal>>> TargetLeaves(const Cube& cube, const Slice& slice,
                                                           const SpreadLimits& limits) {
  const auto& dims = cube.dimensions();
  QA_ASSIGN_OR_RETURN(auto targets, ResolveSlice(cube, slice));
  std::vector<std::vector<LeafOrdinal>> out(dims.size());
  uint64_t count = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (!targets[d])
      return Status::Invalid("allocation: the targets must name a member of every dimension; '" +
                             dims[d]->name() + "' is missing");
    for (const LeafWeight& lw : dims[d]->leaf_weights(*targets[d])) out[d].push_back(lw.leaf);
    count = count > limits.leaves_max ? count : count * out[d].size();
  }
  if (count > limits.leaves_max)
    return Status::Limit("the allocation has " + std::to_string(count) +
                         " target leaves; the limit is " + std::to_string(limits.leaves_max));
  return out;
}

// The driver value of every target leaf (keys ascending), zero and empty
// drivers left out.
Result<std::vector<std::pair<uint64_t, double>>> DriverValues(
    const Cube& cube, const Cube& driver, const DriverMap& map,
    const std::vector<std::vector<LeafOrdinal>>& target_leaves, const CubeCellFilter& readable) {
  const auto& dims = cube.dimensions();
  std::vector<size_t> sizes;
  for (const auto& t : target_leaves) sizes.push_back(t.size());
  // The distinct driver cells: one per combination of the leaves of the
  // target dimensions that feed the driver.
  std::vector<size_t> feeding, feeding_sizes;
  for (size_t k = 0; k < map.from_target.size(); ++k)
    if (map.from_target[k] != SIZE_MAX) {
      feeding.push_back(k);
      feeding_sizes.push_back(sizes[map.from_target[k]]);
    }
  std::vector<Coordinate> cells;
  std::vector<size_t> at(feeding.size(), 0);
  do {
    Coordinate c = map.fixed;
    for (size_t i = 0; i < feeding.size(); ++i) {
      const size_t t = map.from_target[feeding[i]];
      c[feeding[i]] = dims[t]->leaf_member(target_leaves[t][at[i]]);
    }
    cells.push_back(std::move(c));
  } while (Next(at, feeding_sizes));
  QA_RETURN_IF_ERROR(CheckReadable(driver, cells, readable));
  QA_ASSIGN_OR_RETURN(std::vector<std::optional<double>> values, driver.ReadCells(cells));
  // Where each target dimension's position counts in a driver cell's index.
  std::vector<size_t> stride_of(dims.size(), 0);
  size_t stride = 1;
  for (size_t i = feeding.size(); i-- > 0;) {
    stride_of[map.from_target[feeding[i]]] = stride;
    stride *= feeding_sizes[i];
  }
  std::vector<std::pair<uint64_t, double>> out;
  std::vector<size_t> t_at(dims.size(), 0);
  LeafOrdinal leaves[kCubeDimensionsMax];
  do {
    size_t index = 0;
    for (size_t d = 0; d < dims.size(); ++d) {
      leaves[d] = target_leaves[d][t_at[d]];
      index += stride_of[d] * t_at[d];
    }
    if (const auto& v = values[index]; v && *v != 0) out.push_back({cube.PackLeaves(leaves), *v});
  } while (Next(t_at, sizes));
  std::sort(out.begin(), out.end());
  return out;
}

// Turns driver values into shares of `amount`, rounded as asked with the
// remainder on the largest share (the first in key order among equals).
Status ToShares(std::vector<std::pair<uint64_t, double>>& drivers, double amount, int decimals) {
  double sum = 0;
  for (const auto& d : drivers) sum += d.second;
  if (sum == 0 || !std::isfinite(sum))
    return Status::Precondition("allocation: the drivers of the targets sum to " +
                                FormatNumber(sum) + "; there is nothing to allocate by");
  double allocated = 0;
  size_t largest = 0;
  for (size_t i = 0; i < drivers.size(); ++i) {
    double share = amount * drivers[i].second / sum;
    drivers[i].second = decimals >= 0 ? RoundTo(share, decimals) : share;
    allocated += drivers[i].second;
    if (std::abs(drivers[i].second) > std::abs(drivers[largest].second)) largest = i;
  }
  if (decimals >= 0 && allocated != amount)
    drivers[largest].second = RoundTo(drivers[largest].second + amount - allocated, decimals);
  return Status::Ok();
}

}  // namespace

Result<std::vector<LeafChange>> PlanAllocation(const Cube& cube, const Cube& driver,
                                               const Allocation& a, const SpreadLimits& limits,
                                               const WritebackAccess& access) {
  if (a.decimals < -1 || a.decimals > 12)
    return Status::Invalid("decimals must be between 0 and 12 (or -1 for no rounding)");
  QA_ASSIGN_OR_RETURN(auto target_leaves, TargetLeaves(cube, a.targets, limits));
  QA_ASSIGN_OR_RETURN(double amount, AmountOf(cube, a, access.readable));
  QA_ASSIGN_OR_RETURN(DriverMap map, MapDriver(cube, driver, a.driver_members));
  QA_ASSIGN_OR_RETURN(auto shares, DriverValues(cube, driver, map, target_leaves, access.readable));
  QA_RETURN_IF_ERROR(ToShares(shares, amount, a.decimals));
  std::vector<std::vector<bool>> keep(target_leaves.size());
  for (size_t d = 0; d < keep.size(); ++d) {
    keep[d].assign(cube.dimensions()[d]->leaf_count(), false);
    for (LeafOrdinal l : target_leaves[d]) keep[d][l] = true;
  }
  std::vector<LeafChange> changes = MergeChanges(cube.CopyAtoms(keep), shares, true);
  if (a.source && a.move_source) QA_RETURN_IF_ERROR(MoveSource(cube, a, target_leaves, changes));
  NormalizeChanges(changes);
  QA_RETURN_IF_ERROR(CheckWritable(cube, changes, access.writable, "the allocation"));
  return changes;
}

}  // namespace quantatom
