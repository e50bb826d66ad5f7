#include "env/fault_env.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace quantatom {
namespace {

using Random = std::mt19937_64;

// "/db//./LOG" -> {"db", "LOG"}. The model has no working directory, so
// relative and absolute paths name the same files.
Result<std::vector<std::string>> SplitPath(const std::string& path) {
  std::vector<std::string> components;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    std::string component = path.substr(begin, end - begin);
    if (component == "..") return Status::Invalid(path + ": '..' is not supported by FaultEnv");
    if (!component.empty() && component != ".") components.push_back(std::move(component));
    begin = end + 1;
  }
  return components;
}

Status CallError(const char* call, const std::string& path, std::string_view what) {
  return Status::Io(std::string(call) + " " + path + ": " + std::string(what));
}

Status NoSuchPath(const char* call, const std::string& path) {
  return Status::NotFound(std::string(call) + " " + path + ": no such file or directory");
}

Status InjectedStatus(FaultEnv::FaultKind kind, const char* call, const std::string& path) {
  return CallError(call, path,
                   kind == FaultEnv::FaultKind::kIoError ? "input/output error (injected)"
                                                         : "no space left on device (injected)");
}

}  // namespace

// An inode. Invariants: durable.size() <= current.size(), and the two agree
// on [0, durable.size()) except inside `lost`, where durable holds zeros.
struct FaultEnv::File {
  std::string current;  // what reads see
  std::string durable;  // what survives power loss
  // Byte ranges [first, second) a failed Sync dropped: never written to disk.
  std::vector<std::pair<size_t, size_t>> lost;

  void ZeroLostBytes(std::string& image) const {
    for (auto [begin, end] : lost) {
      for (size_t i = begin; i < end && i < image.size(); ++i) image[i] = '\0';
    }
  }

  void MakeDurable() {
    durable = current;
    ZeroLostBytes(durable);
  }

  // A failed fsync whose data did not reach the disk: Linux marks the pages
  // clean, so no later fsync writes them either.
  void LoseUnsyncedBytes() {
    if (current.size() > durable.size()) lost.emplace_back(durable.size(), current.size());
  }

  void TruncateDurably(size_t size) {
    current.resize(size, '\0');
    std::vector<std::pair<size_t, size_t>> kept;
    for (auto [begin, end] : lost) {
      if (begin < size) kept.emplace_back(begin, std::min(end, size));
    }
    lost = std::move(kept);
    MakeDurable();
  }

  void Crash(Random& rng, bool tear_unsynced_writes) {
    assert(durable.size() <= current.size());
    size_t unsynced = current.size() - durable.size();
    size_t kept = tear_unsynced_writes && unsynced > 0 ? rng() % (unsynced + 1) : 0;
    std::string image = durable + current.substr(durable.size(), kept);
    ZeroLostBytes(image);
    if (kept > 0 && rng() % 2 == 0) ScribbleOnTail(image, kept, rng);
    // What survived is now simply on disk; crashing again must not re-tear it.
    current = durable = std::move(image);
    lost.clear();
  }

  // An unfinished sector write: the last few surviving unsynced bytes are
  // zeros (extent allocated, data not written) or noise.
  static void ScribbleOnTail(std::string& image, size_t unsynced_kept, Random& rng) {
    size_t garbage = 1 + rng() % unsynced_kept;
    bool zeros = rng() % 2 == 0;
    for (size_t i = image.size() - garbage; i < image.size(); ++i) {
      image[i] = zeros ? '\0' : static_cast<char>(rng());
    }
  }
};

struct FaultEnv::Dir {
  std::map<std::string, Entry> current;  // what ListDirectory sees
  std::map<std::string, Entry> durable;  // what survives power loss

  // A file renamed between two directories may be reachable from both after
  // a crash; File::Crash is idempotent, so visiting it twice is harmless.
  void Crash(Random& rng, bool tear_unsynced_writes) {
    current = durable;
    for (auto& [name, entry] : current) {
      if (entry.dir) entry.dir->Crash(rng, tear_unsynced_writes);
      if (entry.file) entry.file->Crash(rng, tear_unsynced_writes);
    }
  }
};

// A WritableFile; every call goes to the env, under its mutex.
class FaultEnv::Handle final : public WritableFile {
 public:
  Handle(FaultEnv& env, std::string path, std::shared_ptr<File> file, uint64_t epoch, uint64_t size)
      : env_(env), path_(std::move(path)), file_(std::move(file)), epoch_(epoch), size_(size) {}

  Status Append(std::string_view data) override { return env_.Append(*this, data); }
  Status Sync() override { return env_.Sync(*this); }
  Status Close() override { return env_.Close(*this); }
  uint64_t Size() const override { return env_.Size(*this); }

 private:
  friend class FaultEnv;

  // Why this handle can no longer write, if it cannot.
  Status CheckUsable(const char* call, uint64_t env_epoch) const {
    if (epoch_ != env_epoch) return CallError(call, path_, "file was open when the power failed");
    if (closed_) return CallError(call, path_, "file is closed");
    if (sync_failed_) {
      return CallError(call, path_,
                       "an earlier sync failed; durable contents unknown, reopen and recover");
    }
    return Status::Ok();
  }

  FaultEnv& env_;
  const std::string path_;
  const std::shared_ptr<File> file_;
  const uint64_t epoch_;
  uint64_t size_;
  bool closed_ = false;
  bool sync_failed_ = false;
};

FaultEnv::FaultEnv(uint64_t seed) : root_(std::make_shared<Dir>()), rng_(seed) {}
FaultEnv::~FaultEnv() = default;

void FaultEnv::InjectFault(Operation op, uint64_t nth, FaultKind kind) {
  assert(nth >= 1);
  assert(kind != FaultKind::kPartialAppend || op == Operation::kAppend);
  std::lock_guard lock(mu_);
  faults_[op] = Fault{nth, kind};
}

uint64_t FaultEnv::operations() const {
  std::lock_guard lock(mu_);
  return operations_;
}

void FaultEnv::PowerOffAfter(uint64_t n) {
  std::lock_guard lock(mu_);
  operations_until_power_off_ = n;
}

bool FaultEnv::powered_off() const {
  std::lock_guard lock(mu_);
  return powered_off_;
}

void FaultEnv::Crash(uint64_t seed, bool tear_unsynced_writes) {
  std::lock_guard lock(mu_);
  Random rng(seed);
  ++epoch_;
  powered_off_ = false;
  operations_until_power_off_.reset();
  faults_.clear();
  root_->Crash(rng, tear_unsynced_writes);
  locks_.clear();
}

namespace {

class FaultFileLock final : public FileLock {
 public:
  explicit FaultFileLock(std::function<void()> release) : release_(std::move(release)) {}
  ~FaultFileLock() override { release_(); }

 private:
  std::function<void()> release_;
};

}  // namespace

Result<std::unique_ptr<FileLock>> FaultEnv::LockFile(const std::string& path) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(CheckPower("flock", path));
  if (locks_.count(path)) return Status::Precondition(path + ": held by another open database");
  const uint64_t epoch = epoch_;
  locks_[path] = epoch;
  return std::unique_ptr<FileLock>(new FaultFileLock([this, path, epoch] {
    std::lock_guard lock(mu_);
    if (auto it = locks_.find(path); it != locks_.end() && it->second == epoch) locks_.erase(it);
  }));
}

Status FaultEnv::CheckPower(const char* call, const std::string& path) const {
  if (powered_off_) return CallError(call, path, "power is off (simulated crash)");
  return Status::Ok();
}

Status FaultEnv::BeginOperation(const char* call, const std::string& path) {
  QA_RETURN_IF_ERROR(CheckPower(call, path));
  ++operations_;
  if (operations_until_power_off_) {
    if (*operations_until_power_off_ == 0)
      powered_off_ = true;
    else
      --*operations_until_power_off_;
  }
  return CheckPower(call, path);
}

std::optional<FaultEnv::FaultKind> FaultEnv::TakeFault(Operation op) {
  auto it = faults_.find(op);
  if (it == faults_.end() || --it->second.countdown > 0) return std::nullopt;
  FaultKind kind = it->second.kind;
  faults_.erase(it);
  return kind;
}

bool FaultEnv::CoinFlip() { return rng_() % 2 == 0; }

Result<std::shared_ptr<FaultEnv::Dir>> FaultEnv::ResolveDir(const char* call,
                                                            const std::string& path) {
  QA_ASSIGN_OR_RETURN(std::vector<std::string> components, SplitPath(path));
  std::shared_ptr<Dir> dir = root_;
  for (const std::string& component : components) {
    auto it = dir->current.find(component);
    if (it == dir->current.end()) return NoSuchPath(call, path);
    if (!it->second.dir) return CallError(call, path, "not a directory");
    dir = it->second.dir;
  }
  return dir;
}

Result<std::pair<std::shared_ptr<FaultEnv::Dir>, std::string>> FaultEnv::ResolveParent(
    const char* call, const std::string& path) {
  QA_ASSIGN_OR_RETURN(std::vector<std::string> components, SplitPath(path));
  if (components.empty()) return CallError(call, path, "names the root directory");
  std::string parent;
  for (size_t i = 0; i + 1 < components.size(); ++i) parent += "/" + components[i];
  auto dir = ResolveDir(call, parent);
  if (!dir.ok())
    return dir.status().code() == StatusCode::kNotFound ? NoSuchPath(call, path) : dir.status();
  return std::make_pair(std::move(dir).value(), components.back());
}

Result<std::shared_ptr<FaultEnv::File>> FaultEnv::ResolveFile(const char* call,
                                                              const std::string& path) {
  QA_ASSIGN_OR_RETURN(auto parent, ResolveParent(call, path));
  auto it = parent.first->current.find(parent.second);
  if (it == parent.first->current.end()) return NoSuchPath(call, path);
  if (!it->second.file) return CallError(call, path, "is a directory");
  return it->second.file;
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("open", path));
  if (auto fault = TakeFault(Operation::kNewWritableFile)) {
    return InjectedStatus(*fault, "open", path);
  }
  QA_ASSIGN_OR_RETURN(auto parent, ResolveParent("open", path));
  Entry& entry = parent.first->current[parent.second];
  if (entry.dir) return CallError("open", path, "is a directory");
  if (entry.file) {
    entry.file->TruncateDurably(0);
  } else {
    entry.file = std::make_shared<File>();  // the name is durable after SyncDirectory only
  }
  return std::unique_ptr<WritableFile>(new Handle(*this, path, entry.file, epoch_, 0));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewAppendableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(CheckPower("open", path));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<File> file, ResolveFile("open", path));
  uint64_t size = file->current.size();
  return std::unique_ptr<WritableFile>(new Handle(*this, path, std::move(file), epoch_, size));
}

Result<std::string> FaultEnv::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(CheckPower("read", path));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<File> file, ResolveFile("read", path));
  return file->current;
}

Result<std::vector<std::string>> FaultEnv::ListDirectory(const std::string& dir) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(CheckPower("opendir", dir));
  QA_ASSIGN_OR_RETURN(std::shared_ptr<Dir> node, ResolveDir("opendir", dir));
  std::vector<std::string> names;
  for (const auto& [name, entry] : node->current) names.push_back(name);
  return names;
}

bool FaultEnv::FileExists(const std::string& path) {
  std::lock_guard lock(mu_);
  if (powered_off_) return false;
  auto parent = ResolveParent("access", path);
  if (!parent.ok()) return ResolveDir("access", path).ok();  // the root
  return parent->first->current.count(parent->second) > 0;
}

Status FaultEnv::CreateDirectory(const std::string& dir) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("mkdir", dir));
  if (auto fault = TakeFault(Operation::kCreateDirectory)) {
    return InjectedStatus(*fault, "mkdir", dir);
  }
  auto parent = ResolveParent("mkdir", dir);
  if (!parent.ok()) return ResolveDir("mkdir", dir).status();  // the root exists
  Entry& entry = parent->first->current[parent->second];
  if (entry.file) return CallError("mkdir", dir, "file exists");
  if (!entry.dir) entry.dir = std::make_shared<Dir>();  // durable after SyncDirectory(parent)
  return Status::Ok();
}

Status FaultEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("unlink", path));
  if (auto fault = TakeFault(Operation::kRemoveFile)) return InjectedStatus(*fault, "unlink", path);
  QA_ASSIGN_OR_RETURN(auto parent, ResolveParent("unlink", path));
  auto it = parent.first->current.find(parent.second);
  if (it == parent.first->current.end()) return NoSuchPath("unlink", path);
  if (it->second.dir) return CallError("unlink", path, "is a directory");
  parent.first->current.erase(it);
  return Status::Ok();
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  const std::string both = from + " -> " + to;
  QA_RETURN_IF_ERROR(BeginOperation("rename", both));
  if (auto fault = TakeFault(Operation::kRenameFile)) return InjectedStatus(*fault, "rename", both);
  QA_ASSIGN_OR_RETURN(auto source, ResolveParent("rename", from));
  QA_ASSIGN_OR_RETURN(auto target, ResolveParent("rename", to));
  auto it = source.first->current.find(source.second);
  if (it == source.first->current.end()) return NoSuchPath("rename", both);
  if (it->second.dir) return CallError("rename", both, "FaultEnv renames files only");
  auto existing = target.first->current.find(target.second);
  if (existing != target.first->current.end() && existing->second.dir) {
    return CallError("rename", both, "target is a directory");
  }
  Entry moved = it->second;
  source.first->current.erase(it);
  target.first->current[target.second] = std::move(moved);
  return Status::Ok();
}

Status FaultEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("truncate", path));
  if (auto fault = TakeFault(Operation::kTruncateFile)) {
    return InjectedStatus(*fault, "truncate", path);
  }
  QA_ASSIGN_OR_RETURN(std::shared_ptr<File> file, ResolveFile("truncate", path));
  file->TruncateDurably(size);
  return Status::Ok();
}

Status FaultEnv::SyncDirectory(const std::string& dir) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("fsync", dir));
  auto fault = TakeFault(Operation::kSyncDirectory);
  QA_ASSIGN_OR_RETURN(std::shared_ptr<Dir> node, ResolveDir("fsync", dir));
  if (!fault || CoinFlip()) node->durable = node->current;
  return fault ? InjectedStatus(*fault, "fsync", dir) : Status::Ok();
}

int64_t FaultEnv::NowMicros() { return Env::Default()->NowMicros(); }

Status FaultEnv::Append(Handle& handle, std::string_view data) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("write", handle.path_));
  QA_RETURN_IF_ERROR(handle.CheckUsable("write", epoch_));
  auto fault = TakeFault(Operation::kAppend);
  if (!fault) {
    handle.file_->current.append(data);
    handle.size_ += data.size();
    return Status::Ok();
  }
  if (*fault != FaultKind::kPartialAppend) return InjectedStatus(*fault, "write", handle.path_);
  size_t written = data.empty() ? 0 : rng_() % data.size();
  handle.file_->current.append(data.substr(0, written));
  handle.size_ += written;
  return CallError("write", handle.path_,
                   "no space left on device after " + std::to_string(written) + " of " +
                       std::to_string(data.size()) + " bytes (injected)");
}

Status FaultEnv::Sync(Handle& handle) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(BeginOperation("fdatasync", handle.path_));
  QA_RETURN_IF_ERROR(handle.CheckUsable("fdatasync", epoch_));
  auto fault = TakeFault(Operation::kSync);
  if (!fault) {
    handle.file_->MakeDurable();
    return Status::Ok();
  }
  handle.sync_failed_ = true;
  if (CoinFlip()) {
    handle.file_->MakeDurable();
  } else {
    handle.file_->LoseUnsyncedBytes();
  }
  return InjectedStatus(*fault, "fdatasync", handle.path_);
}

Status FaultEnv::Close(Handle& handle) {
  std::lock_guard lock(mu_);
  QA_RETURN_IF_ERROR(CheckPower("close", handle.path_));
  if (handle.closed_) return Status::Ok();
  if (handle.epoch_ != epoch_) return handle.CheckUsable("close", epoch_);
  handle.closed_ = true;
  return Status::Ok();
}

uint64_t FaultEnv::Size(const Handle& handle) const {
  std::lock_guard lock(mu_);
  return handle.size_;
}

}  // namespace quantatom
