// Who is asking: password logins that yield signed, expiring session
// tokens; long-lived API tokens for scripts; logout and revocation.
//
// Session token: "qs." + base64url(payload) + "." + base64url(HMAC of what
// precedes it, keyed by the server key). The payload names the user, a
// random session id and the expiry; nothing about a session is stored
// unless it is revoked (logout), and then only until it would expire.
// API token: "qt." + id + "." + 32 random bytes; only its hash is stored.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/status.h"
#include "security/access.h"
#include "server/login_limiter.h"
#include "server/security_store.h"

namespace quantatom::server {

struct AuthOptions {
  int64_t session_seconds = 8 * 3600;
  LoginLimits login;
  // Argon2id cost; the defaults are libsodium's INTERACTIVE (64 MiB, 2 passes).
  // Tests lower them; hashes keep their own parameters, so a change applies
  // to new passwords only.
  uint64_t pwhash_opslimit = 2;
  size_t pwhash_memlimit = size_t{64} << 20;
  size_t password_length_min = 8;
  size_t password_length_max = 1024;  // bounds the hashing work per request
  // Wall clock in seconds; tests replace it to expire sessions.
  std::function<int64_t()> now_s;
};

struct Principal {
  std::string user;
  bool admin = false;
  bool api_token = false;          // false: a session from a login
  std::string token_id;            // the session id or the API token id
  int64_t expires_s = 0;           // sessions only
  std::vector<std::string> roles;  // the user's roles as of this request
};

enum class LoginOutcome { kOk, kBadCredentials, kRateLimited };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::kBadCredentials;
  std::string token;
  int64_t expires_s = 0;
  int64_t retry_after_s = 0;  // kRateLimited
  bool admin = false;
};

struct UserInfo {
  std::string name;
  bool admin = false;
  int64_t created_s = 0;
  std::vector<std::string> roles;
};

struct TokenInfo {
  std::string id, user, name;
  int64_t created_s = 0;
};

class Auth {
 public:
  Auth(std::unique_ptr<SecurityStore> store, AuthOptions options);

  // Names: 1-64 of A-Z a-z 0-9 . _ @ -; unique ignoring case.
  Status AddUser(const std::string& name, std::string_view password, bool admin);
  // Removes the user and its API tokens; its sessions stop working at once.
  Status DeleteUser(const std::string& name);
  std::vector<UserInfo> Users() const;
  bool HasUsers() const;

  LoginResult Login(const std::string& user, std::string_view password, const std::string& address);
  // From an "Authorization: Bearer TOKEN" header value; nullopt when the
  // token is missing, malformed, forged, expired, revoked or its user gone.
  std::optional<Principal> Authenticate(std::string_view authorization) const;
  // Revokes the token the principal presented.
  Status Logout(const Principal& principal);

  // The token text is returned once and never stored.
  Result<std::pair<TokenInfo, std::string>> CreateApiToken(const std::string& user,
                                                           const std::string& name);
  // The caller's own tokens; every token for an admin.
  std::vector<TokenInfo> Tokens(const Principal& asking) const;
  // kNotFound for a token that is not the caller's (unless admin).
  Status RevokeApiToken(const Principal& asking, const std::string& id);

  // Roles: names as for users, unique ignoring case. Grants are checked
  // against the model by the caller (security::ValidateCubeGrant); here
  // only the role and user must exist.
  Status AddRole(const std::string& name);
  // Also takes the role from every user holding it.
  Status DeleteRole(const std::string& name);
  // Replaces the role's default and grants on grant.cube.
  Status SetCubeGrant(const std::string& role, security::CubeGrant grant);
  Status RemoveCubeGrant(const std::string& role, const std::string& cube);
  Status AssignRole(const std::string& user, const std::string& role);
  Status UnassignRole(const std::string& user, const std::string& role);
  // The roles as of now; a later change to roles builds a new policy.
  std::shared_ptr<const security::AccessPolicy> Policy() const;
  // Replaces the roles by what `edit` makes of them, durably, in one step
  // (structure changes keep the grants naming members right with it).
  Status EditRoles(const std::function<Status(std::vector<security::Role>&)>& edit);

 private:
  int64_t Now() const { return options_.now_s(); }
  std::optional<Principal> AuthenticateSession(std::string_view token) const;
  std::optional<Principal> AuthenticateApiToken(std::string_view token) const;
  // Copies the state, lets `edit` change it, and stores it durably; the
  // policy follows the stored roles.
  Status Change(const std::function<Status(SecurityState&)>& edit);

  AuthOptions options_;
  std::string dummy_hash_;  // verified for unknown users so timing does not tell them apart
  mutable std::mutex mu_;   // guards store_ and limiter_
  std::unique_ptr<SecurityStore> store_;
  LoginLimiter limiter_;
  std::shared_ptr<const security::AccessPolicy> policy_;  // of store_'s roles
};

}  // namespace quantatom::server
