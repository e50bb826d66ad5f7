// Users, API tokens and revoked sessions of a data directory, kept in
// DIR/security/ (mode 0700) beside the log, which it never touches:
//   server.key     32 random bytes, the key that signs session tokens (0600)
//   security.json  users with Argon2id password hashes and their roles, API
//                  token hashes, revoked sessions, roles with their grants
//                  (0600), replaced durably on every change
//   lock           flock'ed while a process holds the store open
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantatom/env.h"
#include "quantatom/status.h"
#include "security/access.h"

namespace quantatom::server {

struct UserRecord {
  std::string id;  // random: a session names it, so a re-created user of the same name
                   // does not inherit the old one's sessions
  std::string name;
  std::string password_hash;  // crypto_pwhash_str (Argon2id)
  bool admin = false;
  int64_t created_s = 0;
  std::vector<std::string> roles;  // role names as the roles spell them
};

struct ApiTokenRecord {
  std::string id;  // public part of the token, names it in lists and revocation
  std::string user;
  std::string name;  // what the owner called it
  std::string hash;  // TokenHash of the whole token; the token itself is never stored
  int64_t created_s = 0;
};

struct SecurityState {
  std::vector<UserRecord> users;
  std::vector<ApiTokenRecord> tokens;
  std::map<std::string, int64_t> revoked_sessions;  // session id -> its expiry (s)
  std::vector<security::Role> roles;

  const UserRecord* FindUser(std::string_view name) const;
  UserRecord* FindUser(std::string_view name);
  security::Role* FindRole(std::string_view name);
};

// REQUIRES: external synchronization (Auth holds a mutex around it).
class SecurityStore {
 public:
  // Creates DIR/security and the server key when missing. Holds an exclusive
  // lock until destroyed: a second process (a running server and `quantatom
  // user add`) is refused rather than allowed to overwrite the first one's
  // changes.
  static Result<std::unique_ptr<SecurityStore>> Open(const std::string& data_dir,
                                                     Env* env = nullptr);
  ~SecurityStore();

  const std::string& server_key() const { return key_; }
  const SecurityState& state() const { return state_; }
  // Writes `next` durably (temporary file, fsync, rename, fsync of the
  // directory) and adopts it; on failure the previous state stays.
  Status Replace(SecurityState next);

 private:
  SecurityStore() = default;
  Env* env_ = nullptr;
  std::string dir_;
  int lock_fd_ = -1;
  std::string key_;
  SecurityState state_;
};

// {"name", "cubes": [{"cube", "access", "grants": [{"dimension", "member",
// "access"}]}]}: the role as security.json and the API show it.
nlohmann::json RoleToJson(const security::Role& role);

// Writes `content` to dir/name durably with mode 0600.
Status WriteFileDurably(Env* env, const std::string& dir, const std::string& name,
                        std::string_view content);

}  // namespace quantatom::server
