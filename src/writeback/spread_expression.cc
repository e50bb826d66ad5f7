// Spread methods by name and code, their checks, and the TM1 shorthand.
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "quantatom/spread.h"

namespace quantatom {
namespace {

struct MethodInfo {
  SpreadMethod method;
  const char* code;
  const char* name;
};

constexpr std::array<MethodInfo, 11> kMethods = {{
    {SpreadMethod::kProportional, "P", "proportional"},
    {SpreadMethod::kEqual, "S", "equal"},
    {SpreadMethod::kRepeat, "R", "repeat"},
    {SpreadMethod::kPercentChange, "P%", "percent_change"},
    {SpreadMethod::kStraightLine, "SL", "straight_line"},
    {SpreadMethod::kGrowth, "GR", "growth"},
    {SpreadMethod::kRelativeProportional, "RP", "relative_proportional"},
    {SpreadMethod::kRelativePercent, "R%", "relative_percent"},
    {SpreadMethod::kEqualLeaves, "EL", "equal_leaves"},
    {SpreadMethod::kRepeatLeaves, "RL", "repeat_leaves"},
    {SpreadMethod::kClear, "C", "clear"},
}};

const MethodInfo& InfoOf(SpreadMethod method) {
  for (const MethodInfo& m : kMethods)
    if (m.method == method) return m;
  return kMethods[0];
}

// Shorthand codes, longest first so that "P%" wins over "P".
constexpr std::array<std::pair<const char*, SpreadMethod>, 9> kCodes = {{
    {"P%", SpreadMethod::kPercentChange},
    {"SL", SpreadMethod::kStraightLine},
    {"GR", SpreadMethod::kGrowth},
    {"RP", SpreadMethod::kRelativeProportional},
    {"R%", SpreadMethod::kRelativePercent},
    {"P", SpreadMethod::kProportional},
    {"S", SpreadMethod::kEqual},
    {"R", SpreadMethod::kRepeat},
    {"C", SpreadMethod::kClear},
}};

bool StartsWithCode(std::string_view text, std::string_view code) {
  if (text.size() < code.size()) return false;
  for (size_t i = 0; i < code.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) != code[i]) return false;
  return true;
}

Status ErrorAt(std::string_view text, size_t pos, const std::string& what) {
  return Status::Invalid("spread expression '" + std::string(text) + "', column " +
                         std::to_string(pos + 1) + ": " + what);
}

// A decimal number at `pos` (a leading '-' allowed); advances `pos`.
std::optional<double> ReadNumber(std::string_view text, size_t& pos) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  pos = end - text.data();
  return v;
}

size_t ParameterCount(SpreadMethod m) {
  switch (m) {
    case SpreadMethod::kClear:
      return 0;
    case SpreadMethod::kStraightLine:
    case SpreadMethod::kGrowth:
      return 2;
    default:
      return 1;
  }
}

}  // namespace

const char* SpreadMethodCode(SpreadMethod method) { return InfoOf(method).code; }
const char* SpreadMethodName(SpreadMethod method) { return InfoOf(method).name; }

std::optional<SpreadMethod> ParseSpreadMethodName(std::string_view name) {
  for (const MethodInfo& m : kMethods)
    if (name == m.name) return m.method;
  return std::nullopt;
}

bool IsLeafMethod(SpreadMethod method) {
  return method == SpreadMethod::kRelativeProportional ||
         method == SpreadMethod::kRelativePercent || method == SpreadMethod::kEqualLeaves ||
         method == SpreadMethod::kRepeatLeaves;
}

const char* SpreadActionName(SpreadAction action) {
  switch (action) {
    case SpreadAction::kAdd:
      return "add";
    case SpreadAction::kSubtract:
      return "subtract";
    case SpreadAction::kReplace:
      break;
  }
  return "replace";
}

Status ValidateSpreadSpec(const SpreadSpec& spec) {
  const bool relative = spec.method == SpreadMethod::kRelativeProportional ||
                        spec.method == SpreadMethod::kRelativePercent;
  const std::string method = SpreadMethodName(spec.method);
  if (relative && !spec.reference)
    return Status::Invalid("a " + method + " spread needs a reference cell");
  if (!relative && spec.reference)
    return Status::Invalid("a " + method + " spread takes no reference cell");
  if (!std::isfinite(spec.value) || !std::isfinite(spec.value2))
    return Status::Invalid("the spread's values must be finite numbers");
  if (spec.decimals < -1 || spec.decimals > 12)
    return Status::Invalid("decimals must be between 0 and 12 (or -1 for no rounding)");
  if (spec.method == SpreadMethod::kClear && spec.action != SpreadAction::kReplace)
    return Status::Invalid("a clear takes no add or subtract action");
  return Status::Ok();
}

Result<SpreadExpression> ParseSpreadExpression(std::string_view text) {
  SpreadExpression out;
  size_t pos = 0;
  bool found = false;
  for (const auto& [code, method] : kCodes) {
    if (StartsWithCode(text, code)) {
      out.spec.method = method;
      pos = std::string_view(code).size();
      found = true;
      break;
    }
  }
  if (!found) return ErrorAt(text, 0, "expected a method code (P, S, R, P%, SL, GR, RP, R%, C)");
  bool action_seen = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    SpreadDirections& d = out.directions;
    if (c == '|') {
      d.down = true;
    } else if (c == '^') {
      d.up = true;
    } else if (c == '<') {
      d.left = true;
    } else if (c == '>') {
      d.right = true;
    } else if (c == '+' || c == '~') {
      if (action_seen) return ErrorAt(text, pos, "a second action");
      if (out.spec.method == SpreadMethod::kClear)
        return ErrorAt(text, pos, "a clear takes no action");
      out.spec.action = c == '+' ? SpreadAction::kAdd : SpreadAction::kSubtract;
      action_seen = true;
    } else {
      break;
    }
  }
  const size_t count = ParameterCount(out.spec.method);
  double* params[2] = {&out.spec.value, &out.spec.value2};
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != ':')
        return ErrorAt(
            text, pos,
            std::string("expected ':' and the ") +
                (out.spec.method == SpreadMethod::kGrowth ? "growth percentage" : "end value"));
      ++pos;
    }
    auto v = ReadNumber(text, pos);
    if (!v) return ErrorAt(text, pos, "expected a number");
    *params[i] = *v;
  }
  if (pos != text.size())
    return ErrorAt(text, pos, "unexpected '" + std::string(1, text[pos]) + "'");
  const bool line =
      out.spec.method == SpreadMethod::kStraightLine || out.spec.method == SpreadMethod::kGrowth;
  const SpreadDirections& d = out.directions;
  if (line && (d.up || d.down) && (d.left || d.right))
    return ErrorAt(text, 0, "straight line and growth run along one row or one column");
  return out;
}

std::vector<std::pair<size_t, size_t>> DirectionalRange(size_t rows, size_t columns, size_t row,
                                                        size_t column, SpreadDirections d) {
  std::vector<std::pair<size_t, size_t>> out;
  if (row >= rows || column >= columns) return out;
  const size_t r0 = d.up ? 0 : row, r1 = d.down ? rows - 1 : row;
  const size_t c0 = d.left ? 0 : column, c1 = d.right ? columns - 1 : column;
  for (size_t r = r0; r <= r1; ++r)
    for (size_t c = c0; c <= c1; ++c) out.push_back({r, c});
  return out;
}

}  // namespace quantatom
