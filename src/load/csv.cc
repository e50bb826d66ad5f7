#include "load/csv.h"

namespace quantatom {

Status ParseError(std::string_view file, size_t line, size_t column, const std::string& message) {
  return Status::Invalid(std::string(file) + ":" + std::to_string(line) + ":" +
                         std::to_string(column) + ": " + message);
}

std::string CsvReader::Where(size_t column) const {
  return std::string(file_) + ":" + std::to_string(record_line_) + ":" + std::to_string(column);
}

Status CsvReader::Fail(size_t line, size_t column, std::string message) {
  error_column_ = column;
  error_message_ = std::move(message);
  return ParseError(file_, line, column, error_message_);
}

bool CsvReader::Next(std::vector<CsvField>& fields, Status& status) {
  fields.clear();
  // Skip empty lines (and a lone CR before a line feed).
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  while (true) {
    CsvField field{"", pos_ - line_start_ + 1};
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          status = Fail(record_line_, field.column, "unterminated quoted field");
          return true;
        }
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.text += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') {
          ++line_;
          line_start_ = pos_;
        }
        field.text += c;
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        status = Fail(line_, pos_ - line_start_ + 1, "unexpected character after a closing quote");
        return true;
      }
    } else {
      size_t end = pos_;
      while (end < text_.size() && text_[end] != ',' && text_[end] != '\n' && text_[end] != '\r') {
        if (text_[end] == '"') {
          status = Fail(line_, end - line_start_ + 1, "a quote inside an unquoted field");
          return true;
        }
        ++end;
      }
      field.text.assign(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    fields.push_back(std::move(field));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    }
    return true;
  }
}

}  // namespace quantatom
