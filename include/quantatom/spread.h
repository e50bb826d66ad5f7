// Spreading: writing a value to any cell, leaf or consolidated, or to a
// range of cells of a view, with the data spreading methods TM1 users know
// (docs/writeback.md has every method with a worked example).
//
// A spread works in two steps. The range's method decides a new value for
// each cell of the range (proportional: the typed total shared in proportion
// to the cells' values; equal: shared equally; repeat: the value in every
// cell; ...). Then each consolidated cell of the range passes its new value
// down to its leaves in proportion to their current values, so the cell
// reads exactly its new value afterwards, whatever the signs of the weights
// on the way. Leaf methods (equal leaves, repeat leaves, relative
// proportional, relative percent, clear) work on a cell's leaves directly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "quantatom/write_batch.h"

namespace quantatom {

enum class SpreadMethod : uint8_t {
  kProportional,          // P: a total shared in proportion to the current values
  kEqual,                 // S: a total shared equally among the range's cells
  kRepeat,                // R: the value in every cell of the range
  kPercentChange,         // P%: each cell's value times a percentage
  kStraightLine,          // SL: a line from a start to an end value along the range
  kGrowth,                // GR: a start value growing by a percentage cell after cell
  kRelativeProportional,  // RP: a total shared in proportion to a reference cell's leaves
  kRelativePercent,       // R%: a percentage of a reference cell's leaves
  kEqualLeaves,           // EL: a total shared equally among a cell's leaves
  kRepeatLeaves,          // RL: the value in every leaf of a cell
  kClear,                 // C: every leaf beneath the range emptied
};

// "P", "S", "R", "P%", "SL", "GR", "RP", "R%", "EL", "RL", "C".
const char* SpreadMethodCode(SpreadMethod method);
// "proportional", "equal", "repeat", "percent_change", "straight_line",
// "growth", "relative_proportional", "relative_percent", "equal_leaves",
// "repeat_leaves", "clear".
const char* SpreadMethodName(SpreadMethod method);
std::optional<SpreadMethod> ParseSpreadMethodName(std::string_view name);
// True for the methods that take a single target cell.
bool IsLeafMethod(SpreadMethod method);

// What the spread's values do to the values already there.
enum class SpreadAction : uint8_t { kReplace, kAdd, kSubtract };
const char* SpreadActionName(SpreadAction action);  // "replace", "add", "subtract"

// The cell whose leaves guide a relative spread: the target cell with some
// members replaced, in the same cube or in another with the same dimensions.
// A replaced member maps the target's leaves beneath the original member to
// the leaves beneath the new one in order (FY2025 -> FY2024: month by
// month), so both must have as many leaves.
struct SpreadReference {
  std::string cube;                                          // "" for the spread's own cube
  std::vector<std::pair<std::string, std::string>> members;  // dimension -> member
};

struct SpreadSpec {
  SpreadMethod method = SpreadMethod::kProportional;
  SpreadAction action = SpreadAction::kReplace;
  // P, S, R, EL, RL, RP: the value; P%, R%: the percentage; SL, GR: the
  // start value.
  double value = 0;
  double value2 = 0;  // SL: the end value; GR: the growth percentage
  // EL, RL: every leaf beneath the cell (true) or only those holding atoms.
  bool all_leaves = false;
  std::optional<SpreadReference> reference;  // RP and R%
  // Leaf values rounded to this many decimals, the rounding remainder put on
  // the largest changed leaf so a typed total is still met; -1: no rounding.
  int decimals = -1;
};

// Checks the parameters a method needs (a reference for RP and R%, none
// otherwise; decimals in [-1, 12]; finite values).
Status ValidateSpreadSpec(const SpreadSpec& spec);

// Directions of the TM1 shorthand: from the cell it is typed into, the range
// extends to the view's edge in each direction given.
struct SpreadDirections {
  bool up = false, down = false, left = false, right = false;
  bool any() const { return up || down || left || right; }
};

struct SpreadExpression {
  SpreadSpec spec;
  SpreadDirections directions;
};

// Parses the TM1 shorthand typed into a cell: a method code, directions
// (`|` down, `^` up, `<` left, `>` right), an action (`+` add, `~`
// subtract; none replaces) and parameters: `P<>100`, `S+|^200`, `R~50`,
// `P%+10`, `SL>100:200`, `GR|300:25`, `RP1000`, `R%+20` (the relative
// methods take their reference cell beside the expression), `C`. Codes are
// case-insensitive. As in TM1, equal leaves and repeat leaves have no
// shorthand. Errors name the column.
Result<SpreadExpression> ParseSpreadExpression(std::string_view text);

// The range a directional expression covers in a grid of `rows` x `columns`
// cells typed at (row, column): row-major (row, column) pairs.
std::vector<std::pair<size_t, size_t>> DirectionalRange(size_t rows, size_t columns, size_t row,
                                                        size_t column, SpreadDirections directions);

// Whether a principal may write (or read) a cell: one member per dimension,
// cube order. An operation that would change (or read) a cell its filter
// refuses is refused whole, naming the cells.
using CellFilter = std::function<bool(std::span<const MemberId>)>;

class Cube;
// Whether a principal may read a cell of a cube.
using CubeCellFilter = std::function<bool(const Cube& cube, std::span<const MemberId>)>;

// What the principal behind a writeback operation may write and read
// (unset: everything).
struct WritebackAccess {
  CellFilter writable;  // every leaf the operation changes
  CubeCellFilter
      readable;  // every cell it reads besides its targets (references, drivers, sources)
};

struct SpreadRequest {
  // The target cells, leaf or consolidated, in the range's order (which
  // straight line and growth follow). A cell that lies above another of the
  // range is left out (the range spreads to its most detailed cells); two
  // cells sharing a leaf otherwise are refused.
  std::vector<Coordinate> cells;
  SpreadSpec spec;
  // Held cells, leaf or consolidated: no leaf beneath a held cell changes,
  // and the typed total is met by the others, or the spread is refused.
  std::vector<Coordinate> holds;
};

struct SpreadLimits {
  size_t range_cells_max = 100'000;
  // Leaves a spread may change: an equal spread onto an empty consolidation
  // writes every leaf cell beneath it.
  size_t leaves_max = 5'000'000;
};

}  // namespace quantatom
