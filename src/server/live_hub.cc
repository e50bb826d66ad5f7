#include "server/live_hub.h"

#include <algorithm>

#include "db/structure_log.h"
#include "server/access_guard.h"
#include "server/live_session.h"

namespace quantatom::server {
namespace {

// Principals with the same roles (or both admins) see the same of every
// transaction.
std::string RolesKey(const Principal& p) {
  if (p.admin) return "\n";  // no role name holds a line feed
  std::vector<std::string> roles = p.roles;
  std::sort(roles.begin(), roles.end());
  std::string key;
  for (const std::string& r : roles) key += r + ",";
  return key;
}

}  // namespace

LiveHub::LiveHub(ServerContext& ctx) : ctx_(ctx) {
  listener_id_ = ctx_.db.Subscribe([this](const auto& txn) { OnCommit(txn); });
  // After subscribing: a transaction both queued and at or below this is
  // skipped, and none above it can be missed.
  sequence_ = ctx_.db.last_sequence();
  thread_ = std::thread([this] { Run(); });
}

LiveHub::~LiveHub() { Stop(); }

void LiveHub::Stop() {
  std::call_once(stopped_, [this] {
    ctx_.db.Unsubscribe(listener_id_);
    std::set<std::shared_ptr<LiveSession>> sessions;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      sessions.swap(sessions_);
    }
    wake_.notify_all();
    thread_.join();
    for (const auto& s : sessions) s->Close(WebSocketClose::kGoingAway, "the server is stopping");
    subscribers_.clear();
  });
}

std::shared_ptr<WebSocketHandler> LiveHub::Open(std::weak_ptr<WebSocketPeer> peer,
                                                std::string authorization) {
  std::lock_guard lock(mu_);
  if (stopping_ || sessions_.size() >= ctx_.limits.live_connections_max) return nullptr;
  auto session = std::make_shared<LiveSession>(*this, std::move(peer), std::move(authorization));
  sessions_.insert(session);
  return session;
}

size_t LiveHub::connections() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

// On the commit thread: a queue push, nothing more.
void LiveHub::OnCommit(const std::shared_ptr<const Transaction>& txn) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    Work work{nullptr, txn->sequence, txn->cube, nullptr};
    // A structure change is kept even past the backlog: its reload notices
    // go to the cubes it changed, which only it tells.
    if (queued_transactions_ < ctx_.limits.live_backlog_transactions_max ||
        IsStructureChange(txn->kind))
      work.txn = txn;
    ++queued_transactions_;
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

void LiveHub::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back({nullptr, 0, "", std::move(task)});
  }
  wake_.notify_one();
}

void LiveHub::Run() {
  std::deque<Work> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch.swap(queue_);
    }
    for (const Work& work : batch) {
      if (work.task) {
        work.task();
        continue;
      }
      Push(work);
      std::lock_guard lock(mu_);
      --queued_transactions_;
    }
    batch.clear();
  }
}

// The cubes a structure change changed: those over a changed dimension,
// and a deleted cube.
std::vector<std::string> LiveHub::ChangedCubes(const Transaction& txn) const {
  std::vector<std::string> out;
  if (txn.kind == OperationKind::kDeleteCube) {
    if (auto name = DeletedNameOf(txn); name.ok()) out.push_back(*name);
    return out;
  }
  auto change = MemberChangeOf(txn);
  if (!change.ok()) return out;
  for (const std::string& cube_name : ctx_.db.CubeNames())
    if (auto cube = ctx_.db.FindCube(cube_name); cube && cube->DimensionIndex(change->dimension))
      out.push_back(cube->name());
  return out;
}

// Every subscriber of a changed cube is told to reload; of a deleted one
// too (its next read answers 404).
void LiveHub::PushReloads(const Transaction& txn) {
  for (const std::string& cube : ChangedCubes(txn)) {
    auto it = subscribers_.find(cube);
    if (it == subscribers_.end()) continue;
    const bool deleted = txn.kind == OperationKind::kDeleteCube;
    const auto notice = std::make_shared<const std::string>(
        json{{"type", "reload"}, {"sequence", txn.sequence}, {"cube", cube}}.dump());
    const std::set<std::shared_ptr<LiveSession>> sessions = it->second;
    for (const auto& session : sessions) {
      std::optional<Principal> p = session->Authenticate();
      if (!p) continue;
      if (deleted) {
        session->Send(notice);
      } else if (auto reload = Reload(*p, txn.sequence, cube)) {
        session->Send(reload);
      }
    }
  }
}

void LiveHub::Push(const Work& work) {
  if (work.sequence <= sequence_) return;
  sequence_ = work.sequence;
  if (work.txn && IsStructureChange(work.txn->kind)) return PushReloads(*work.txn);
  auto it = subscribers_.find(work.cube);
  if (it == subscribers_.end()) return;
  std::map<std::string, std::shared_ptr<const std::string>> built;  // by RolesKey
  // A copy: a session whose token is gone leaves the set meanwhile.
  const std::set<std::shared_ptr<LiveSession>> sessions = it->second;
  for (const auto& session : sessions) {
    std::optional<Principal> p = session->Authenticate();
    if (!p) continue;
    auto [slot, fresh] = built.try_emplace(RolesKey(*p));
    if (fresh)
      slot->second = work.txn ? Message(*p, *work.txn) : Reload(*p, work.sequence, work.cube);
    if (slot->second) session->Send(slot->second);
  }
}

void LiveHub::Subscribe(const std::shared_ptr<LiveSession>& session, const std::string& cube) {
  subscribers_[cube].insert(session);
}

void LiveHub::Unsubscribe(const std::shared_ptr<LiveSession>& session, const std::string& cube) {
  auto it = subscribers_.find(cube);
  if (it == subscribers_.end()) return;
  it->second.erase(session);
  if (it->second.empty()) subscribers_.erase(it);
}

void LiveHub::Closed(const std::shared_ptr<LiveSession>& session) {
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    it->second.erase(session);
    it = it->second.empty() ? subscribers_.erase(it) : std::next(it);
  }
  std::lock_guard lock(mu_);
  sessions_.erase(session);
}

std::shared_ptr<const std::string> LiveHub::Message(const Principal& p,
                                                    const Transaction& txn) const {
  // A load too large for the change feed to keep in memory: its deltas
  // are only in the log, and the client is better off reading its grid.
  if (txn.omitted_deltas > 0) return Reload(p, txn.sequence, txn.cube);
  std::optional<json> shown = VisibleTransactionJson(ctx_, p, txn);
  if (!shown) return nullptr;
  if ((*shown)["deltas_omitted"].get<size_t>() > 0) return Reload(p, txn.sequence, txn.cube);
  (*shown)["type"] = "change";
  return std::make_shared<const std::string>(shown->dump());
}

std::shared_ptr<const std::string> LiveHub::Reload(const Principal& p, uint64_t sequence,
                                                   const std::string& cube) const {
  auto found = ctx_.db.FindCube(cube);
  if (!found || !AccessOf(ctx_, p, *found)->AnyReadable()) return nullptr;
  return std::make_shared<const std::string>(
      json{{"type", "reload"}, {"sequence", sequence}, {"cube", cube}}.dump());
}

}  // namespace quantatom::server
