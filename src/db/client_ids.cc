#include "db/client_ids.h"

#include <charconv>

namespace quantatom {

std::string ClientIdKey(std::string_view user, std::string_view id) {
  std::string key = std::to_string(user.size()) + ":";
  key.append(user);
  key.append(id);
  return key;
}

std::string LegacyClientIdKey(std::string_view id) { return "*" + std::string(id); }

std::optional<std::pair<std::string, std::string>> ParseClientIdKey(std::string_view key) {
  size_t length = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), length);
  if (ec != std::errc() || end == key.data() + key.size() || *end != ':') return std::nullopt;
  const size_t user_at = end - key.data() + 1;
  if (key.size() - user_at < length) return std::nullopt;
  return std::pair<std::string, std::string>(key.substr(user_at, length),
                                             key.substr(user_at + length));
}

}  // namespace quantatom
