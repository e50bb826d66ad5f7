// Renderings of a Grid: full JSON, compact JSON and an aligned text table.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "quantatom/view.h"

namespace quantatom {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

ordered_json Values(const Grid& grid) {
  ordered_json rows = ordered_json::array();
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    ordered_json row = ordered_json::array();
    for (size_t c = 0; c < grid.columns.size(); ++c) {
      const auto& v = grid.at(r, c);
      row.push_back(v ? ordered_json(*v) : ordered_json(nullptr));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

ordered_json Names(const std::vector<HeaderTuple>& headers) {
  ordered_json out = ordered_json::array();
  for (const HeaderTuple& t : headers) {
    if (t.size() == 1) {
      out.push_back(t[0].name);
      continue;
    }
    ordered_json tuple = ordered_json::array();
    for (const HeaderMember& h : t) tuple.push_back(h.name);
    out.push_back(std::move(tuple));
  }
  return out;
}

ordered_json Headers(const std::vector<HeaderTuple>& headers) {
  ordered_json out = ordered_json::array();
  for (const HeaderTuple& t : headers) {
    ordered_json tuple = ordered_json::array();
    for (const HeaderMember& h : t)
      tuple.push_back({{"name", h.name}, {"depth", h.depth}, {"leaf", h.leaf}});
    out.push_back(std::move(tuple));
  }
  return out;
}

// 1234567.891 -> "1,234,567.89"
std::string FormatNumber(double v) {
  char digits[320];  // %.2f of the largest double has 309 digits before the point
  std::snprintf(digits, sizeof digits, "%.2f", std::fabs(v));
  std::string s(digits);
  size_t point = std::min(s.find('.'), s.size());  // inf and nan have no point
  for (size_t i = point; i > 3; i -= 3) s.insert(i - 3, ",");
  return (v < 0 && s != "0.00" ? "-" : "") + s;
}

}  // namespace

std::string GridToJson(const Grid& grid) {
  ordered_json j;
  j["cube"] = grid.cube;
  j["row_dimensions"] = grid.row_dimensions;
  j["column_dimensions"] = grid.column_dimensions;
  j["rows"] = Headers(grid.rows);
  j["columns"] = Headers(grid.columns);
  j["values"] = Values(grid);
  return j.dump();
}

std::string GridToCompactJson(const Grid& grid) {
  ordered_json j;
  j["rows"] = Names(grid.rows);
  j["columns"] = Names(grid.columns);
  j["values"] = Values(grid);
  return j.dump();
}

std::string GridToTable(const Grid& grid) {
  // Text cells first, then pad every column to its widest cell.
  const size_t row_dims = grid.row_dimensions.size();
  std::vector<std::vector<std::string>> cells;
  for (size_t line = 0; line < grid.column_dimensions.size(); ++line) {
    std::vector<std::string> header(row_dims, "");
    if (row_dims > 0 && line + 1 == grid.column_dimensions.size()) header = grid.row_dimensions;
    for (const HeaderTuple& c : grid.columns) header.push_back(c[line].name);
    cells.push_back(std::move(header));
  }
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    std::vector<std::string> line;
    for (const HeaderMember& h : grid.rows[r])
      line.push_back(std::string(2 * h.depth, ' ') + h.name);
    for (size_t c = 0; c < grid.columns.size(); ++c) {
      const auto& v = grid.at(r, c);
      line.push_back(v ? FormatNumber(*v) : "");
    }
    cells.push_back(std::move(line));
  }
  std::vector<size_t> width(row_dims + grid.columns.size(), 0);
  for (const auto& line : cells)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      size_t pad = width[i] - line[i].size();
      if (i < row_dims) {
        out += line[i] + std::string(pad, ' ');
      } else {
        out += std::string(pad, ' ') + line[i];
      }
      out += i + 1 < line.size() ? "  " : "";
    }
    out += '\n';
  }
  return out;
}

}  // namespace quantatom
