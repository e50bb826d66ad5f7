#include "rules/rule_error.h"

#include <algorithm>

namespace quantatom::rules {

Place PlaceOf(std::string_view text, size_t offset) {
  Place p{1, 1, offset};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;  // a character starts here (not a UTF-8 continuation byte)
    }
  }
  return p;
}

RuleCheck ToRuleCheck(const RuleError& error, std::string_view text) {
  RuleCheck out;
  if (error.place.line == 0) {
    out.status = Status(error.code, error.message);
    return out;
  }
  out.line = error.place.line;
  out.column = error.place.column;
  size_t begin = std::min(error.place.offset, text.size());
  while (begin > 0 && text[begin - 1] != '\n') --begin;
  size_t end = text.find('\n', begin);
  std::string line(text.substr(begin, end == std::string_view::npos ? text.npos : end - begin));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  // Under each character before the column: a space (a tab under a tab).
  std::string caret;
  size_t chars = 0;
  for (size_t i = 0; i < line.size() && chars + 1 < error.place.column; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    caret += line[i] == '\t' ? '\t' : ' ';
    ++chars;
  }
  caret += '^';
  out.excerpt = line + "\n" + caret;
  out.status = Status(error.code, "line " + std::to_string(out.line) + ", column " +
                                      std::to_string(out.column) + ": " + error.message + "\n" +
                                      out.excerpt);
  return out;
}

Status ToStatus(const RuleError& error, std::string_view text) {
  return ToRuleCheck(error, text).status;
}

}  // namespace quantatom::rules
