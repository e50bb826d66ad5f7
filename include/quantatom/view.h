// A view is a grid definition: a cube, row and column axes, and a context
// member for every other dimension. Its answer is a Grid.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/dimension.h"
#include "quantatom/status.h"
#include "quantatom/write_batch.h"

namespace quantatom {

// Where a consolidated member stands relative to its descendants.
enum class HierarchyOrder { kParentsFirst, kParentsLast };

// One dimension on an axis. `members` are selection terms evaluated in
// order and concatenated: a member name or alias, `children(m)`,
// `descendants(m)`, `descendants(m, n)` (n levels down), `leaves(m)` (same as
// `descendants(m, leaves)`), `level(n)` (TM1 level: 0 = leaves),
// `members()` (the whole dimension in hierarchy order).
struct AxisDimension {
  std::string dimension;
  std::vector<std::string> members;
  HierarchyOrder order = HierarchyOrder::kParentsFirst;
};

struct ViewSpec {
  std::string cube;
  std::vector<AxisDimension> rows;  // nested: cross-joined in this order
  std::vector<AxisDimension> columns;
  // dimension -> member; a dimension on no axis and absent here defaults to
  // its first root.
  std::vector<std::pair<std::string, std::string>> context;
  bool suppress_empty_rows = false;
  bool suppress_empty_columns = false;
  // When set, a name in the view (a term, a function's argument, a context
  // member) that resolves to a member it refuses is unknown, exactly as if
  // no member had that name: a reader's grants hide it. Arguments: the
  // cube's dimension index and the member.
  std::function<bool(size_t dimension, MemberId member)> member_visible;
};

// Parses the view JSON documented in docs/view.md. Errors name the JSON
// path of the offending field.
Result<ViewSpec> ParseViewJson(std::string_view json);

struct HeaderMember {
  std::string name;
  MemberId id;
  int depth;  // depth on this axis (position in the walked hierarchy)
  bool leaf;
};

// One header per row (or column): a member of each axis dimension.
using HeaderTuple = std::vector<HeaderMember>;

struct Grid {
  std::string cube;
  std::vector<std::string> row_dimensions, column_dimensions;
  std::vector<HeaderTuple> rows, columns;
  std::vector<std::optional<double>> values;  // row-major; nullopt = empty
  // The member of each cube dimension on no axis, by cube dimension index
  // (entries of dimensions on an axis are unused): with the headers, the
  // full coordinate of every cell.
  Coordinate context;

  const std::optional<double>& at(size_t row, size_t col) const {
    return values[row * columns.size() + col];
  }
};

// The full answer: headers with name, depth and leaf flag, values with null.
std::string GridToJson(const Grid& grid);
// The shape of planbench's expected.json: names only (single-dimension axes
// as plain names, nested axes as arrays of names).
std::string GridToCompactJson(const Grid& grid);
// An aligned text table for terminals.
std::string GridToTable(const Grid& grid);

}  // namespace quantatom
