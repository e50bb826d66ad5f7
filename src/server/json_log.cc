#include "server/json_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace quantatom::server {

Result<std::unique_ptr<JsonLog>> JsonLog::Open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<JsonLog>(new JsonLog(stderr, false));
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io("log file " + path + ": " + std::strerror(errno));
  std::FILE* file = ::fdopen(fd, "a");
  if (!file) {
    ::close(fd);
    return Status::Io("log file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<JsonLog>(new JsonLog(file, true));
}

JsonLog::~JsonLog() {
  if (owned_) std::fclose(file_);
}

void JsonLog::Write(Level level, std::string_view msg, const nlohmann::ordered_json& fields) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  nlohmann::ordered_json line = {
      {"ts", Rfc3339Utc(std::chrono::duration_cast<std::chrono::microseconds>(now).count())},
      {"level", level == Level::kInfo   ? "info"
                : level == Level::kWarn ? "warn"
                                        : "error"},
      {"msg", msg}};
  for (auto& [key, value] : fields.items()) line[key] = value;
  // A member name from a request may hold invalid UTF-8: replaced, never thrown.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

std::string Rfc3339Utc(int64_t time_us) {
  std::time_t seconds = static_cast<std::time_t>(time_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[32];
  size_t n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(out + n, sizeof out - n, ".%03dZ", static_cast<int>(time_us / 1000 % 1000));
  return out;
}

}  // namespace quantatom::server
