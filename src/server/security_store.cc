#include "server/security_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "quantatom/dimension.h"
#include "server/crypto.h"

namespace quantatom::server {
namespace {

using nlohmann::json;

constexpr char kFormat[] = "quantatom-security-1";
constexpr size_t kKeyBytes = 32;

Status Errno(const std::string& what, const std::string& path) {
  return Status::Io(what + " " + path + ": " + std::strerror(errno));
}

security::Access AccessOf(const json& text) {
  auto access = security::ParseAccess(text.get<std::string>());
  if (!access) throw std::invalid_argument("unknown access " + text.dump());
  return *access;
}

security::Role RoleFromJson(const json& r) {
  security::Role role{r.at("name"), {}};
  for (const json& c : r.at("cubes")) {
    security::CubeGrant grant{c.at("cube"), AccessOf(c.at("access")), {}};
    for (const json& g : c.at("grants"))
      grant.members.push_back({g.at("dimension"), g.at("member"), AccessOf(g.at("access"))});
    role.cubes.push_back(std::move(grant));
  }
  return role;
}

json ToJson(const SecurityState& s) {
  json users = json::array(), tokens = json::array(), revoked = json::object(),
       roles = json::array();
  for (const UserRecord& u : s.users)
    users.push_back({{"id", u.id},
                     {"name", u.name},
                     {"password_hash", u.password_hash},
                     {"admin", u.admin},
                     {"created_s", u.created_s},
                     {"roles", u.roles}});
  for (const ApiTokenRecord& t : s.tokens)
    tokens.push_back({{"id", t.id},
                      {"user", t.user},
                      {"name", t.name},
                      {"hash", t.hash},
                      {"created_s", t.created_s}});
  for (const auto& [id, expiry] : s.revoked_sessions) revoked[id] = expiry;
  for (const security::Role& r : s.roles) roles.push_back(RoleToJson(r));
  return {{"format", kFormat},
          {"users", users},
          {"tokens", tokens},
          {"revoked_sessions", revoked},
          {"roles", roles}};
}

Result<SecurityState> FromJson(const std::string& text, const std::string& path) {
  SecurityState s;
  try {
    json j = json::parse(text);
    if (j.at("format") != kFormat) return Status::Corruption(path + ": unknown format");
    // Files written before roles existed have none: their users get no roles.
    for (const json& u : j.at("users"))
      s.users.push_back({u.at("id"), u.at("name"), u.at("password_hash"), u.at("admin"),
                         u.at("created_s"), u.value("roles", std::vector<std::string>{})});
    for (const json& t : j.at("tokens"))
      s.tokens.push_back({t.at("id"), t.at("user"), t.at("name"), t.at("hash"), t.at("created_s")});
    for (auto& [id, expiry] : j.at("revoked_sessions").items())
      s.revoked_sessions[id] = expiry.get<int64_t>();
    for (const json& r : j.value("roles", json::array())) s.roles.push_back(RoleFromJson(r));
  } catch (const std::exception& e) {  // json::exception, or a bad access level
    return Status::Corruption(path + ": " + e.what());
  }
  return s;
}

Result<std::string> LoadOrCreateKey(Env* env, const std::string& dir) {
  const std::string path = dir + "/server.key";
  if (!env->FileExists(path))
    QA_RETURN_IF_ERROR(WriteFileDurably(env, dir, "server.key", RandomBytes(kKeyBytes)));
  QA_ASSIGN_OR_RETURN(std::string key, env->ReadFile(path));
  if (key.size() != kKeyBytes)
    return Status::Corruption(path + ": expected " + std::to_string(kKeyBytes) + " bytes");
  return key;
}

}  // namespace

const UserRecord* SecurityState::FindUser(std::string_view name) const {
  for (const UserRecord& u : users)
    if (FoldCase(u.name) == FoldCase(name)) return &u;
  return nullptr;
}

UserRecord* SecurityState::FindUser(std::string_view name) {
  return const_cast<UserRecord*>(std::as_const(*this).FindUser(name));
}

security::Role* SecurityState::FindRole(std::string_view name) {
  for (security::Role& r : roles)
    if (FoldCase(r.name) == FoldCase(name)) return &r;
  return nullptr;
}

json RoleToJson(const security::Role& role) {
  json cubes = json::array();
  for (const security::CubeGrant& c : role.cubes) {
    json grants = json::array();
    for (const security::MemberGrant& g : c.members)
      grants.push_back({{"dimension", g.dimension},
                        {"member", g.member},
                        {"access", security::AccessName(g.access)}});
    cubes.push_back(
        {{"cube", c.cube}, {"access", security::AccessName(c.default_access)}, {"grants", grants}});
  }
  return {{"name", role.name}, {"cubes", cubes}};
}

Status WriteFileDurably(Env* env, const std::string& dir, const std::string& name,
                        std::string_view content) {
  const std::string tmp = dir + "/" + name + ".tmp", path = dir + "/" + name;
  {
    QA_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp));
    // Before any secret is written: only the owner may read it.
    if (::chmod(tmp.c_str(), 0600) != 0) return Errno("chmod", tmp);
    QA_RETURN_IF_ERROR(file->Append(content));
    QA_RETURN_IF_ERROR(file->Sync());
    QA_RETURN_IF_ERROR(file->Close());
  }
  QA_RETURN_IF_ERROR(env->RenameFile(tmp, path));
  return env->SyncDirectory(dir);
}

Result<std::unique_ptr<SecurityStore>> SecurityStore::Open(const std::string& data_dir, Env* env) {
  QA_RETURN_IF_ERROR(InitCrypto());
  std::unique_ptr<SecurityStore> store(new SecurityStore());
  store->env_ = env ? env : Env::Default();
  store->dir_ = data_dir + "/security";
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::NotFound(data_dir + ": no such data directory");
  if (!store->env_->FileExists(store->dir_)) {
    QA_RETURN_IF_ERROR(store->env_->CreateDirectory(store->dir_));
    QA_RETURN_IF_ERROR(store->env_->SyncDirectory(data_dir));
  }
  if (::chmod(store->dir_.c_str(), 0700) != 0) return Errno("chmod", store->dir_);

  const std::string lock = store->dir_ + "/lock";
  store->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (store->lock_fd_ < 0) return Errno("open", lock);
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Status::Precondition(store->dir_ +
                                " is in use by another quantatom process (a running server?)");

  QA_ASSIGN_OR_RETURN(store->key_, LoadOrCreateKey(store->env_, store->dir_));
  const std::string path = store->dir_ + "/security.json";
  if (store->env_->FileExists(path)) {
    QA_ASSIGN_OR_RETURN(std::string text, store->env_->ReadFile(path));
    QA_ASSIGN_OR_RETURN(store->state_, FromJson(text, path));
  }
  return store;
}

SecurityStore::~SecurityStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Status SecurityStore::Replace(SecurityState next) {
  QA_RETURN_IF_ERROR(WriteFileDurably(env_, dir_, "security.json", ToJson(next).dump(1)));
  state_ = std::move(next);
  return Status::Ok();
}

}  // namespace quantatom::server
