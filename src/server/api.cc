#include "server/api.h"

#include <charconv>

namespace quantatom::server {

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  // Invalid UTF-8 from a member name must not throw here.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

HttpResponse ErrorResponse(const ApiError& error) {
  json e = {{"code", error.code}, {"message", error.message}};
  if (error.details.is_object())
    for (auto& [key, value] : error.details.items()) e[key] = value;
  return JsonResponse(error.status, {{"error", std::move(e)}});
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return ErrorResponse(ApiError(status, std::string(code), std::string(message)));
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 422;  // well-formed but not applicable, e.g. writing a consolidated cell
    case StatusCode::kLimitExceeded:
      return 413;
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
      return 500;
    case StatusCode::kUnknownOutcome:
      return 503;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kConflict:
      return 409;
  }
  return 500;
}

ApiError ErrorOf(const Status& status) {
  return ApiError(HttpStatusOf(status.code()), StatusCodeName(status.code()), status.message());
}

void ThrowIfError(const Status& status) {
  if (!status.ok()) throw ErrorOf(status);
}

namespace {

struct TooDeep {};

}  // namespace

json ParseJsonObject(std::string_view body, int depth_max) {
  json parsed;
  try {
    // The callback sees every value with its depth: refuse deep nesting
    // before anything recursive (dump, the view parser) walks it.
    parsed = json::parse(body, [depth_max](int depth, json::parse_event_t, json&) {
      if (depth > depth_max) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    throw ApiError(400, "JSON_TOO_DEEP",
                   "the body nests deeper than " + std::to_string(depth_max) + " levels");
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number such as 1e999.
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; keep the rest.
    if (size_t p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw ApiError(400, "MALFORMED_JSON", "malformed JSON: " + what);
  }
  if (!parsed.is_object())
    throw ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object");
  return parsed;
}

const json* Member(const json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

namespace {

[[noreturn]] void WrongType(const char* name, const char* expected) {
  throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "': expected " + expected);
}

}  // namespace

std::string StringMember(const json& object, const char* name, bool required) {
  const json* m = Member(object, name);
  if (!m) {
    if (required)
      throw ApiError(400, "INVALID_ARGUMENT", std::string("'") + name + "' is required");
    return "";
  }
  if (!m->is_string()) WrongType(name, "a string");
  return m->get<std::string>();
}

bool BoolMember(const json& object, const char* name, bool fallback) {
  const json* m = Member(object, name);
  if (!m) return fallback;
  if (!m->is_boolean()) WrongType(name, "true or false");
  return m->get<bool>();
}

uint64_t UnsignedMember(const json& object, const char* name, uint64_t fallback) {
  const json* m = Member(object, name);
  if (!m) return fallback;
  if (!m->is_number_unsigned()) WrongType(name, "an unsigned integer");
  return m->get<uint64_t>();
}

void RejectUnknownMembers(const json& object, std::initializer_list<std::string_view> known) {
  for (auto& [key, value] : object.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) throw ApiError(400, "INVALID_ARGUMENT", "unknown field '" + key + "'");
  }
}

uint64_t UnsignedQuery(const HttpRequest& req, const std::string& name, uint64_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  const std::string& s = it->second;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    throw ApiError(400, "INVALID_ARGUMENT",
                   "query parameter '" + name + "': expected an unsigned integer");
  return v;
}

}  // namespace quantatom::server
