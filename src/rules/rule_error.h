// Errors in a rules text: a status code, a message and the place (line,
// column) it refers to, shown with the line and a caret under the column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "quantatom/rules.h"
#include "quantatom/status.h"

namespace quantatom::rules {

// 1-based line and column (in characters); line 0: no place.
struct Place {
  size_t line = 0, column = 0;
  size_t offset = 0;  // byte offset in the text
};

// The error of a rules text: what RuleCheck reports.
struct RuleError {
  StatusCode code = StatusCode::kInvalidArgument;
  std::string message;  // without the place
  Place place;
};

// "line 3, column 14: <message>" (the message alone without a place), and
// the excerpt: the line of the text and a caret line under the column.
RuleCheck ToRuleCheck(const RuleError& error, std::string_view text);
Status ToStatus(const RuleError& error, std::string_view text);

// The place of byte `offset` in `text`.
Place PlaceOf(std::string_view text, size_t offset);

}  // namespace quantatom::rules
