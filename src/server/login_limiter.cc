#include "server/login_limiter.h"

namespace quantatom::server {

std::optional<int64_t> LoginLimiter::Check(std::unordered_map<std::string, Failures>& map,
                                           const std::string& key, int max, int64_t now_s) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  Failures& f = it->second;
  while (!f.empty() && f.front() <= now_s - limits_.window_seconds) f.pop_front();
  if (f.empty()) {
    map.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(f.size()) < max) return std::nullopt;
  return f.front() + limits_.window_seconds - now_s;
}

void LoginLimiter::Add(std::unordered_map<std::string, Failures>& map, const std::string& key,
                       int max, int64_t now_s) {
  if (map.size() >= limits_.keys_max) {
    // Forget what has aged out; if that is not enough, start over rather
    // than grow without bound under a flood of made-up names.
    for (auto it = map.begin(); it != map.end();)
      it = !it->second.empty() && it->second.back() > now_s - limits_.window_seconds
               ? std::next(it)
               : map.erase(it);
    if (map.size() >= limits_.keys_max) map.clear();
  }
  Failures& f = map[key];
  f.push_back(now_s);
  while (static_cast<int>(f.size()) > max) f.pop_front();
}

std::optional<int64_t> LoginLimiter::RetryAfter(const std::string& user, const std::string& address,
                                                int64_t now_s) {
  auto u = Check(by_user_, user, limits_.failures_per_user_max, now_s);
  auto a = Check(by_address_, address, limits_.failures_per_address_max, now_s);
  if (u && a) return std::max(*u, *a);
  return u ? u : a;
}

void LoginLimiter::RecordFailure(const std::string& user, const std::string& address,
                                 int64_t now_s) {
  Add(by_user_, user, limits_.failures_per_user_max, now_s);
  Add(by_address_, address, limits_.failures_per_address_max, now_s);
}

void LoginLimiter::RecordSuccess(const std::string& user) { by_user_.erase(user); }

}  // namespace quantatom::server
