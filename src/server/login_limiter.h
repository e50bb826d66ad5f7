// Counts failed logins per user and per client address in a sliding window;
// past the limit every attempt (even a correct one) is refused until old
// failures age out, so guessing costs time whatever the guesses are.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace quantatom::server {

struct LoginLimits {
  int failures_per_user_max = 5;
  int failures_per_address_max = 20;
  int64_t window_seconds = 900;
  size_t keys_max = 100'000;  // remembered users and addresses, bounding memory
};

// REQUIRES: external synchronization.
class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits) : limits_(limits) {}

  // Seconds until an attempt is allowed again, or nullopt when it is now.
  std::optional<int64_t> RetryAfter(const std::string& user, const std::string& address,
                                    int64_t now_s);
  void RecordFailure(const std::string& user, const std::string& address, int64_t now_s);
  // A success forgets the user's failures (not the address's).
  void RecordSuccess(const std::string& user);

 private:
  using Failures = std::deque<int64_t>;
  std::optional<int64_t> Check(std::unordered_map<std::string, Failures>& map,
                               const std::string& key, int max, int64_t now_s);
  void Add(std::unordered_map<std::string, Failures>& map, const std::string& key, int max,
           int64_t now_s);

  LoginLimits limits_;
  std::unordered_map<std::string, Failures> by_user_, by_address_;
};

}  // namespace quantatom::server
