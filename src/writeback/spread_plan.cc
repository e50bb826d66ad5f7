#include "writeback/spread_plan.h"

#include <cmath>
#include <map>

#include "writeback/spread_cell.h"
#include "writeback/spread_range.h"
#include "writeback/spread_relative.h"

namespace quantatom {
namespace {

struct Plan {
  const Cube& cube;
  const SpreadRequest& request;
  const SpreadLimits& limits;
  HoldSet holds;
  std::vector<LeafChange> changes;

  const SpreadSpec& spec() const { return request.spec; }
};

double Act(SpreadAction action, double current, double amount) {
  switch (action) {
    case SpreadAction::kAdd:
      return current + amount;
    case SpreadAction::kSubtract:
      return current - amount;
    case SpreadAction::kReplace:
      break;
  }
  return amount;
}

// The amount an add or subtract moves by, signed.
double Signed(SpreadAction action, double amount) {
  return action == SpreadAction::kSubtract ? -amount : amount;
}

bool NearZero(double sum, double magnitude) {
  return magnitude == 0 || std::abs(sum) <= 1e-12 * magnitude;
}

// Shares `total` among the cells that are not frozen: in proportion to
// their values, or equally when those sum to zero.
Status ShareAmongCells(const std::vector<TargetCell>& cells, double total, bool proportional,
                       std::vector<std::optional<double>>& out) {
  double frozen = 0, sum = 0, magnitude = 0;
  size_t movable = 0;
  for (const TargetCell& c : cells) {
    if (c.frozen) {
      frozen += c.current;
      continue;
    }
    ++movable;
    sum += c.current;
    magnitude += std::abs(c.current);
  }
  const double wanted = total - frozen;
  if (movable == 0)
    return Status::Precondition("every cell of the range is held; the range cannot read " +
                                FormatNumber(total));
  const bool by_value = proportional && !NearZero(sum, magnitude);
  for (size_t j = 0; j < cells.size(); ++j)
    if (!cells[j].frozen)
      out[j] = by_value ? cells[j].current * wanted / sum : wanted / static_cast<double>(movable);
  return Status::Ok();
}

// The new value of each range cell (nullopt: held, unchanged) for the
// range methods, and the range's total when the method types one.
Status RangeTotals(const std::vector<TargetCell>& cells, const SpreadSpec& spec,
                   std::vector<std::optional<double>>& out, std::optional<double>& range_total) {
  out.assign(cells.size(), std::nullopt);
  const size_t n = cells.size();
  if (spec.method == SpreadMethod::kProportional ||
      (spec.method == SpreadMethod::kEqual && spec.action == SpreadAction::kReplace)) {
    double current = 0;
    for (const TargetCell& c : cells) current += c.current;
    range_total = Act(spec.action, current, spec.value);
    return ShareAmongCells(cells, *range_total, spec.method == SpreadMethod::kProportional, out);
  }
  size_t movable = 0;
  for (const TargetCell& c : cells) movable += !c.frozen;
  if (movable == 0) return Status::Precondition("every cell of the range is held");
  for (size_t j = 0; j < n; ++j) {
    if (cells[j].frozen) continue;
    const double cur = cells[j].current;
    const double position = n == 1 ? 0 : static_cast<double>(j) / static_cast<double>(n - 1);
    switch (spec.method) {
      case SpreadMethod::kEqual:  // add or subtract: each cell moves by its share
        out[j] = cur + Signed(spec.action, spec.value / static_cast<double>(movable));
        break;
      case SpreadMethod::kRepeat:
        out[j] = Act(spec.action, cur, spec.value);
        break;
      case SpreadMethod::kPercentChange:
        out[j] = Act(spec.action, cur, cur * spec.value / 100);
        break;
      case SpreadMethod::kStraightLine:
        out[j] = Act(spec.action, cur, spec.value + (spec.value2 - spec.value) * position);
        break;
      case SpreadMethod::kGrowth:
        out[j] = Act(spec.action, cur,
                     spec.value * std::pow(1 + spec.value2 / 100, static_cast<double>(j)));
        break;
      default:
        return Status::Invalid(std::string("not a range method: ") + SpreadMethodName(spec.method));
    }
  }
  return Status::Ok();
}

// Rounds the cells' new values and puts what the range total lost on the
// largest one.
void RoundCells(std::vector<std::optional<double>>& totals, const std::vector<TargetCell>& cells,
                std::optional<double> range_total, int decimals) {
  if (decimals < 0) return;
  double achieved = 0;
  size_t largest = SIZE_MAX;
  for (size_t j = 0; j < totals.size(); ++j) {
    if (!totals[j]) {
      achieved += cells[j].current;
      continue;
    }
    totals[j] = RoundTo(*totals[j], decimals);
    achieved += *totals[j];
    if (largest == SIZE_MAX || std::abs(*totals[j]) > std::abs(*totals[largest])) largest = j;
  }
  if (range_total && largest != SIZE_MAX && *range_total != achieved)
    totals[largest] = RoundTo(*totals[largest] + *range_total - achieved, decimals);
}

Status SpreadRange(Plan& plan, const std::vector<TargetCell>& cells) {
  std::vector<std::optional<double>> totals;
  std::optional<double> range_total;
  QA_RETURN_IF_ERROR(RangeTotals(cells, plan.spec(), totals, range_total));
  RoundCells(totals, cells, range_total, plan.spec().decimals);
  for (size_t j = 0; j < cells.size(); ++j)
    if (totals[j])
      QA_RETURN_IF_ERROR(DistributeTotal(plan.cube, cells[j], *totals[j], plan.holds, plan.limits,
                                         plan.spec().decimals, plan.changes));
  return Status::Ok();
}

void Clear(Plan& plan, const std::vector<TargetCell>& cells) {
  for (const TargetCell& c : cells)
    for (const SpreadLeaf& l : c.atoms)
      if (!l.held) plan.changes.push_back({l.key, l.value, std::nullopt});
}

// Equal leaves and repeat leaves: on the leaves of one cell directly.
Status SpreadLeaves(Plan& plan, const TargetCell& target) {
  const SpreadSpec& spec = plan.spec();
  std::vector<SpreadLeaf> chosen = target.atoms;
  if (spec.all_leaves) {
    QA_ASSIGN_OR_RETURN(chosen,
                        EveryLeafBeneath(plan.cube, target, plan.holds, plan.limits.leaves_max));
  }
  double held_sum = 0;
  std::vector<SpreadLeaf> movable;
  for (const SpreadLeaf& l : chosen) {
    if (l.held)
      held_sum += l.weight * l.value.value_or(0);
    else
      movable.push_back(l);
  }
  const std::string no_leaf = "no leaf beneath " + DescribeCell(plan.cube, target.cell) +
                              " can change: every " +
                              (spec.all_leaves ? "leaf" : "populated leaf") + " is held";
  std::vector<std::optional<double>> values(movable.size());
  std::optional<double> total;
  if (spec.method == SpreadMethod::kRepeatLeaves) {
    if (movable.empty()) return Status::Precondition(no_leaf);
    for (size_t i = 0; i < movable.size(); ++i)
      values[i] = Act(spec.action, movable[i].value.value_or(0), spec.value);
  } else {
    const bool replace = spec.action == SpreadAction::kReplace;
    total = Act(spec.action, target.current, spec.value);
    const double amount = replace ? spec.value - held_sum : Signed(spec.action, spec.value);
    if (!ShareEqually(movable, amount, !replace, values)) return Status::Precondition(no_leaf);
  }
  RoundToTotal(movable, values, held_sum, total, spec.decimals);
  for (size_t i = 0; i < movable.size(); ++i)
    if (values[i] != movable[i].value)
      plan.changes.push_back({movable[i].key, movable[i].value, values[i]});
  return Status::Ok();
}

}  // namespace

Result<std::vector<LeafChange>> PlanSpread(const Cube& cube, const Cube* reference,
                                           const SpreadRequest& request, const SpreadLimits& limits,
                                           const WritebackAccess& access) {
  const SpreadSpec& spec = request.spec;
  QA_RETURN_IF_ERROR(ValidateSpreadSpec(spec));
  for (const Coordinate& h : request.holds)
    if (h.size() != cube.dimensions().size())
      return Status::Invalid("a held cell needs one member per dimension of cube '" + cube.name() +
                             "'");
  if (IsLeafMethod(spec.method) && request.cells.size() != 1)
    return Status::Invalid(std::string("a ") + SpreadMethodName(spec.method) +
                           " spread takes exactly one target cell");
  QA_ASSIGN_OR_RETURN(std::vector<Coordinate> range,
                      NormalizeRange(cube, request.cells, limits.range_cells_max));
  Plan plan{cube, request, limits, HoldSet(cube, request.holds), {}};
  std::vector<TargetCell> cells;
  for (const Coordinate& c : range) {
    QA_ASSIGN_OR_RETURN(TargetCell t, ReadTargetCell(cube, c, plan.holds));
    cells.push_back(std::move(t));
  }
  switch (spec.method) {
    case SpreadMethod::kClear:
      Clear(plan, cells);
      break;
    case SpreadMethod::kEqualLeaves:
    case SpreadMethod::kRepeatLeaves:
      QA_RETURN_IF_ERROR(SpreadLeaves(plan, cells[0]));
      break;
    case SpreadMethod::kRelativeProportional:
    case SpreadMethod::kRelativePercent:
      if (!reference) return Status::Invalid("a relative spread needs its reference cube");
      QA_RETURN_IF_ERROR(SpreadRelative(cube, *reference, cells[0], spec, plan.holds,
                                        access.readable, plan.changes));
      break;
    default:
      QA_RETURN_IF_ERROR(SpreadRange(plan, cells));
  }
  if (plan.changes.size() > limits.leaves_max)
    return Status::Limit("the spread would change " + std::to_string(plan.changes.size()) +
                         " leaf cells; the limit is " + std::to_string(limits.leaves_max));
  NormalizeChanges(plan.changes);
  QA_RETURN_IF_ERROR(CheckWritable(cube, plan.changes, access.writable, "the spread"));
  return std::move(plan.changes);
}

}  // namespace quantatom
