#include "server/security_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

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

json ToJson(const SecurityState& s) {
  json users = json::array(), tokens = json::array(), revoked = json::object();
  for (const UserRecord& u : s.users)
    users.push_back({{"id", u.id},
                     {"name", u.name},
                     {"password_hash", u.password_hash},
                     {"admin", u.admin},
                     {"created_s", u.created_s}});
  for (const ApiTokenRecord& t : s.tokens)
    tokens.push_back({{"id", t.id},
                      {"user", t.user},
                      {"name", t.name},
                      {"hash", t.hash},
                      {"created_s", t.created_s}});
  for (const auto& [id, expiry] : s.revoked_sessions) revoked[id] = expiry;
  return {{"format", kFormat}, {"users", users}, {"tokens", tokens}, {"revoked_sessions", revoked}};
}

Result<SecurityState> FromJson(const std::string& text, const std::string& path) {
  SecurityState s;
  try {
    json j = json::parse(text);
    if (j.at("format") != kFormat) return Status::Corruption(path + ": unknown format");
    for (const json& u : j.at("users"))
      s.users.push_back(
          {u.at("id"), u.at("name"), u.at("password_hash"), u.at("admin"), u.at("created_s")});
    for (const json& t : j.at("tokens"))
      s.tokens.push_back({t.at("id"), t.at("user"), t.at("name"), t.at("hash"), t.at("created_s")});
    for (auto& [id, expiry] : j.at("revoked_sessions").items())
      s.revoked_sessions[id] = expiry.get<int64_t>();
  } catch (const json::exception& e) {
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
