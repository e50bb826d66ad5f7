// The rules parser: a hand-written recursive descent over the text, with
// the place of every name and expression kept for error messages.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "rules/ast.h"

namespace quantatom::rules {

// Texts longer than this are refused (kLimitExceeded), as are expressions
// nested deeper than kNestingMax (the parser recurses).
inline constexpr size_t kRulesTextBytesMax = 1 << 20;
inline constexpr int kNestingMax = 100;

struct ParsedRules {
  std::vector<Statement> statements;
  std::optional<RuleError> error;  // the first error; statements are then incomplete
};

ParsedRules ParseRules(std::string_view text);

}  // namespace quantatom::rules
