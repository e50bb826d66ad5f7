#include "server/auth.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "quantatom/dimension.h"
#include "server/crypto.h"

namespace quantatom::server {
namespace {

using nlohmann::json;

constexpr std::string_view kSessionPrefix = "qs.", kApiTokenPrefix = "qt.";

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '@' &&
        c != '-')
      return false;
  return true;
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Auth::Auth(std::unique_ptr<SecurityStore> store, AuthOptions options)
    : options_(std::move(options)), store_(std::move(store)), limiter_(options_.login) {
  if (!options_.now_s) options_.now_s = SystemNow;
  policy_ = std::make_shared<security::AccessPolicy>(store_->state().roles);
  auto dummy = HashPassword(RandomBytes(16), options_.pwhash_opslimit, options_.pwhash_memlimit);
  if (dummy.ok()) dummy_hash_ = *dummy;
}

Status Auth::AddUser(const std::string& name, std::string_view password, bool admin) {
  if (!ValidName(name))
    return Status::Invalid("user name '" + name +
                           "': 1 to 64 characters of A-Z a-z 0-9 . _ @ - expected");
  if (password.size() < options_.password_length_min)
    return Status::Invalid("the password needs at least " +
                           std::to_string(options_.password_length_min) + " characters");
  if (password.size() > options_.password_length_max)
    return Status::Invalid("the password is longer than " +
                           std::to_string(options_.password_length_max) + " characters");
  QA_ASSIGN_OR_RETURN(std::string hash,
                      HashPassword(password, options_.pwhash_opslimit, options_.pwhash_memlimit));
  std::lock_guard lock(mu_);
  if (store_->state().FindUser(name)) return Status::AlreadyExists("user '" + name + "' exists");
  SecurityState next = store_->state();
  next.users.push_back({Hex(RandomBytes(8)), name, hash, admin, Now()});
  return store_->Replace(std::move(next));
}

Status Auth::DeleteUser(const std::string& name) {
  std::lock_guard lock(mu_);
  const UserRecord* user = store_->state().FindUser(name);
  if (!user) return Status::NotFound("unknown user '" + name + "'");
  SecurityState next = store_->state();
  std::string exact = user->name;
  std::erase_if(next.users, [&](const UserRecord& u) { return u.name == exact; });
  std::erase_if(next.tokens, [&](const ApiTokenRecord& t) { return t.user == exact; });
  return store_->Replace(std::move(next));
}

std::vector<UserInfo> Auth::Users() const {
  std::lock_guard lock(mu_);
  std::vector<UserInfo> out;
  for (const UserRecord& u : store_->state().users)
    out.push_back({u.name, u.admin, u.created_s, u.roles});
  return out;
}

bool Auth::HasUsers() const {
  std::lock_guard lock(mu_);
  return !store_->state().users.empty();
}

LoginResult Auth::Login(const std::string& user, std::string_view password,
                        const std::string& address) {
  LoginResult result;
  // No user name is longer than 64: a longer one cannot log in, and cut
  // short it cannot make the limiter store megabytes per attempt.
  const std::string user_key = FoldCase(std::string_view(user).substr(0, 64));
  std::string hash, exact_name, user_id;
  bool admin = false;
  {
    std::lock_guard lock(mu_);
    if (auto retry = limiter_.RetryAfter(user_key, address, Now())) {
      result.outcome = LoginOutcome::kRateLimited;
      result.retry_after_s = *retry;
      return result;
    }
    if (const UserRecord* u = store_->state().FindUser(user)) {
      hash = u->password_hash;
      exact_name = u->name;
      user_id = u->id;
      admin = u->admin;
    }
  }
  // Argon2id is slow on purpose: verify outside the lock.
  bool known = !hash.empty();
  bool verified = password.size() <= options_.password_length_max &&
                  VerifyPassword(known ? hash : dummy_hash_, password) && known;
  std::lock_guard lock(mu_);
  if (!verified) {
    limiter_.RecordFailure(user_key, address, Now());
    return result;
  }
  limiter_.RecordSuccess(user_key);
  result.outcome = LoginOutcome::kOk;
  result.admin = admin;
  result.expires_s = Now() + options_.session_seconds;
  json payload = {{"u", exact_name},
                  {"uid", user_id},
                  {"sid", Base64Url(RandomBytes(16))},
                  {"exp", result.expires_s}};
  std::string signed_part = std::string(kSessionPrefix) + Base64Url(payload.dump());
  result.token = signed_part + "." + Base64Url(Mac(store_->server_key(), signed_part));
  return result;
}

std::optional<Principal> Auth::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  std::string_view token = authorization.substr(kBearer.size());
  if (token.substr(0, 3) == kSessionPrefix) return AuthenticateSession(token);
  if (token.substr(0, 3) == kApiTokenPrefix) return AuthenticateApiToken(token);
  return std::nullopt;
}

std::optional<Principal> Auth::AuthenticateSession(std::string_view token) const {
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot < kSessionPrefix.size()) return std::nullopt;
  std::string_view signed_part = token.substr(0, dot);
  std::string mac, payload_text;
  if (!FromBase64Url(token.substr(dot + 1), mac)) return std::nullopt;
  std::lock_guard lock(mu_);
  if (!VerifyMac(store_->server_key(), signed_part, mac)) return std::nullopt;
  // Signed by us: the payload is our own JSON.
  if (!FromBase64Url(signed_part.substr(kSessionPrefix.size()), payload_text)) return std::nullopt;
  json payload = json::parse(payload_text, nullptr, false);
  if (payload.is_discarded()) return std::nullopt;
  Principal p;
  p.user = payload.value("u", "");
  p.token_id = payload.value("sid", "");
  p.expires_s = payload.value("exp", int64_t{0});
  if (p.expires_s <= Now() || store_->state().revoked_sessions.count(p.token_id))
    return std::nullopt;
  const UserRecord* user = store_->state().FindUser(p.user);
  if (!user || user->id != payload.value("uid", "")) return std::nullopt;
  p.admin = user->admin;  // the current rights, not those at login
  p.roles = user->roles;
  return p;
}

std::optional<Principal> Auth::AuthenticateApiToken(std::string_view token) const {
  size_t dot = token.find('.', kApiTokenPrefix.size());
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view id = token.substr(kApiTokenPrefix.size(), dot - kApiTokenPrefix.size());
  std::string hash = TokenHash(token);
  std::lock_guard lock(mu_);
  for (const ApiTokenRecord& t : store_->state().tokens) {
    if (t.id != id || !ConstantTimeEquals(t.hash, hash)) continue;
    const UserRecord* user = store_->state().FindUser(t.user);
    if (!user) return std::nullopt;
    return Principal{user->name, user->admin, true, t.id, 0, user->roles};
  }
  return std::nullopt;
}

Status Auth::Logout(const Principal& principal) {
  if (principal.api_token) return RevokeApiToken(principal, principal.token_id);
  std::lock_guard lock(mu_);
  SecurityState next = store_->state();
  const int64_t now = Now();
  // Expired sessions are refused anyway: forget their revocations.
  std::erase_if(next.revoked_sessions, [now](const auto& r) { return r.second <= now; });
  next.revoked_sessions[principal.token_id] = principal.expires_s;
  return store_->Replace(std::move(next));
}

Result<std::pair<TokenInfo, std::string>> Auth::CreateApiToken(const std::string& user,
                                                               const std::string& name) {
  if (name.size() > 200) return Status::Invalid("token name longer than 200 characters");
  std::string id = Hex(RandomBytes(8));
  std::string token = std::string(kApiTokenPrefix) + id + "." + Base64Url(RandomBytes(32));
  std::lock_guard lock(mu_);
  const UserRecord* u = store_->state().FindUser(user);
  if (!u) return Status::NotFound("unknown user '" + user + "'");
  TokenInfo info{id, u->name, name, Now()};
  SecurityState next = store_->state();
  next.tokens.push_back({id, u->name, name, TokenHash(token), info.created_s});
  QA_RETURN_IF_ERROR(store_->Replace(std::move(next)));
  return std::make_pair(info, token);
}

std::vector<TokenInfo> Auth::Tokens(const Principal& asking) const {
  std::lock_guard lock(mu_);
  std::vector<TokenInfo> out;
  for (const ApiTokenRecord& t : store_->state().tokens)
    if (asking.admin || t.user == asking.user) out.push_back({t.id, t.user, t.name, t.created_s});
  return out;
}

Status Auth::RevokeApiToken(const Principal& asking, const std::string& id) {
  std::lock_guard lock(mu_);
  SecurityState next = store_->state();
  size_t removed = std::erase_if(next.tokens, [&](const ApiTokenRecord& t) {
    return t.id == id && (asking.admin || t.user == asking.user);
  });
  if (removed == 0) return Status::NotFound("no API token '" + id + "' of yours");
  return store_->Replace(std::move(next));
}

Status Auth::Change(const std::function<Status(SecurityState&)>& edit) {
  std::lock_guard lock(mu_);
  SecurityState next = store_->state();
  QA_RETURN_IF_ERROR(edit(next));
  QA_RETURN_IF_ERROR(store_->Replace(std::move(next)));
  policy_ = std::make_shared<security::AccessPolicy>(store_->state().roles);
  return Status::Ok();
}

Status Auth::EditRoles(const std::function<Status(std::vector<security::Role>&)>& edit) {
  return Change([&](SecurityState& s) { return edit(s.roles); });
}

std::shared_ptr<const security::AccessPolicy> Auth::Policy() const {
  std::lock_guard lock(mu_);
  return policy_;
}

namespace {

Result<security::Role*> RoleOf(SecurityState& s, const std::string& name) {
  security::Role* role = s.FindRole(name);
  if (!role) return Status::NotFound("unknown role '" + name + "'");
  return role;
}

Result<UserRecord*> UserOf(SecurityState& s, const std::string& name) {
  UserRecord* user = s.FindUser(name);
  if (!user) return Status::NotFound("unknown user '" + name + "'");
  return user;
}

}  // namespace

Status Auth::AddRole(const std::string& name) {
  if (!ValidName(name))
    return Status::Invalid("role name '" + name +
                           "': 1 to 64 characters of A-Z a-z 0-9 . _ @ - expected");
  return Change([&](SecurityState& s) -> Status {
    if (s.FindRole(name)) return Status::AlreadyExists("role '" + name + "' exists");
    s.roles.push_back({name, {}});
    return Status::Ok();
  });
}

Status Auth::DeleteRole(const std::string& name) {
  return Change([&](SecurityState& s) -> Status {
    QA_ASSIGN_OR_RETURN(security::Role * role, RoleOf(s, name));
    const std::string folded = FoldCase(role->name);
    for (UserRecord& u : s.users)
      std::erase_if(u.roles, [&](const std::string& r) { return FoldCase(r) == folded; });
    std::erase_if(s.roles, [&](const security::Role& r) { return FoldCase(r.name) == folded; });
    return Status::Ok();
  });
}

Status Auth::SetCubeGrant(const std::string& role_name, security::CubeGrant grant) {
  return Change([&](SecurityState& s) -> Status {
    QA_ASSIGN_OR_RETURN(security::Role * role, RoleOf(s, role_name));
    std::erase_if(role->cubes, [&](const security::CubeGrant& c) {
      return FoldCase(c.cube) == FoldCase(grant.cube);
    });
    role->cubes.push_back(std::move(grant));
    return Status::Ok();
  });
}

Status Auth::RemoveCubeGrant(const std::string& role_name, const std::string& cube) {
  return Change([&](SecurityState& s) -> Status {
    QA_ASSIGN_OR_RETURN(security::Role * role, RoleOf(s, role_name));
    size_t removed = std::erase_if(role->cubes, [&](const security::CubeGrant& c) {
      return FoldCase(c.cube) == FoldCase(cube);
    });
    if (removed == 0)
      return Status::NotFound("role '" + role->name + "' has no grants on cube '" + cube + "'");
    return Status::Ok();
  });
}

Status Auth::AssignRole(const std::string& user_name, const std::string& role_name) {
  return Change([&](SecurityState& s) -> Status {
    QA_ASSIGN_OR_RETURN(security::Role * role, RoleOf(s, role_name));
    QA_ASSIGN_OR_RETURN(UserRecord * user, UserOf(s, user_name));
    for (const std::string& r : user->roles)
      if (FoldCase(r) == FoldCase(role->name))
        return Status::AlreadyExists("user '" + user->name + "' has role '" + role->name + "'");
    user->roles.push_back(role->name);
    return Status::Ok();
  });
}

Status Auth::UnassignRole(const std::string& user_name, const std::string& role_name) {
  return Change([&](SecurityState& s) -> Status {
    QA_ASSIGN_OR_RETURN(UserRecord * user, UserOf(s, user_name));
    size_t removed = std::erase_if(
        user->roles, [&](const std::string& r) { return FoldCase(r) == FoldCase(role_name); });
    if (removed == 0)
      return Status::NotFound("user '" + user->name + "' has no role '" + role_name + "'");
    return Status::Ok();
  });
}

}  // namespace quantatom::server
