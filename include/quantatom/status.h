// Status and Result<T>: errors as values at every module boundary.
//
// A Status is either OK or carries a code and a human-readable message that
// names what was wrong (file, line, column, member). Callers must look at it.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace quantatom {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed request or input
  kNotFound,            // unknown dimension, member, cube
  kAlreadyExists,       // duplicate name
  kFailedPrecondition,  // e.g. writing to a consolidated cell
  kLimitExceeded,       // a configured limit was hit
  kIoError,             // the file system said no
  kCorruption,          // stored data is not what was written
  kUnknownOutcome,      // a change may or may not be durable (failed fsync)
  kPermissionDenied,    // the caller may not change a cell the request would change
  // Refused because of the state it would change: atoms a structure change
  // would delete, a dimension a cube uses; the message says how to proceed.
  kConflict,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Precondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Limit(std::string m) { return {StatusCode::kLimitExceeded, std::move(m)}; }
  static Status Io(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unknown(std::string m) { return {StatusCode::kUnknownOutcome, std::move(m)}; }
  static Status Denied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: facts.csv:12:5: unknown member 'Foo' of dimension 'Entity'"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result needs an error or a value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace quantatom

// Returns early from the enclosing function when `expr` yields an error.
#define QA_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::quantatom::Status qa_status_ = (expr); \
    if (!qa_status_.ok()) return qa_status_; \
  } while (0)

#define QA_CONCAT_INNER(a, b) a##b
#define QA_CONCAT(a, b) QA_CONCAT_INNER(a, b)
// Declares `lhs` from a Result-returning `rexpr`, or returns its Status.
#define QA_ASSIGN_OR_RETURN(lhs, rexpr)                                                       \
  auto QA_CONCAT(qa_result_, __LINE__) = (rexpr);                                             \
  if (!QA_CONCAT(qa_result_, __LINE__).ok()) return QA_CONCAT(qa_result_, __LINE__).status(); \
  lhs = std::move(QA_CONCAT(qa_result_, __LINE__)).value()
