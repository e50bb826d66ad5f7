// The server's log: one JSON object per line ({"ts", "level", "msg", ...
// fields}), on stderr or appended to a file, for a log shipper to read
// without parsing prose.
//
// Thread-safe: lines from concurrent requests never interleave.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "quantatom/status.h"

namespace quantatom::server {

class JsonLog {
 public:
  enum class Level { kInfo, kWarn, kError };

  // "" logs to stderr; else the file is opened for appending (created 0600).
  static Result<std::unique_ptr<JsonLog>> Open(const std::string& path);
  ~JsonLog();

  // `fields` (an object) follow ts, level and msg in the line.
  void Write(Level level, std::string_view msg,
             const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

 private:
  JsonLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  std::mutex mu_;
  std::FILE* file_;
  bool owned_;
};

// "2025-06-01T12:00:00.123Z" for a time in microseconds since the epoch.
std::string Rfc3339Utc(int64_t time_us);

}  // namespace quantatom::server
