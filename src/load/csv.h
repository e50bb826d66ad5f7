// RFC 4180 records with positions, for error messages that point at a
// line and column. Quoted fields may hold commas, doubled quotes and
// (in the general reader) line breaks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "quantatom/status.h"

namespace quantatom {

struct CsvField {
  std::string text;
  size_t column;  // 1-based byte column where the field starts
};

class CsvReader {
 public:
  CsvReader(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  // Reads the next record into `fields`; false at the end of the text.
  // Empty lines are skipped. A malformed quote sets `status`.
  bool Next(std::vector<CsvField>& fields, Status& status);
  size_t line() const { return record_line_; }  // line of the last record
  size_t offset() const { return pos_; }        // bytes consumed
  std::string Where(size_t column) const;       // "file:line:column"
  // After a malformed record: its column and what was wrong, without the file.
  size_t error_column() const { return error_column_; }
  const std::string& error_message() const { return error_message_; }

 private:
  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
  size_t line_ = 1;        // line at pos_
  size_t line_start_ = 0;  // offset of that line's first byte
  size_t record_line_ = 0;
  size_t error_column_ = 0;
  std::string error_message_;

  Status Fail(size_t line, size_t column, std::string message);
};

// "file:line:column: message"
Status ParseError(std::string_view file, size_t line, size_t column, const std::string& message);

}  // namespace quantatom
