// Live updates: each committed transaction pushed to the WebSocket clients
// subscribed to its cube, as much of it as each may read (docs/api.md,
// "Live updates").
//
// The database's listener only queues the transaction: one hub thread
// builds the messages and hands them to the connections' own queues, so a
// commit never waits for JSON or for a client. A message is built once per
// transaction for each set of roles among the subscribers, so a hundred
// admins cost one message, not a hundred.
//
// Thread safety: Open, connections and Stop may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/routes.h"
#include "server/websocket.h"

namespace quantatom::server {

class LiveSession;

class LiveHub {
 public:
  // Listens to ctx.db until Stop; `ctx` must outlive the hub.
  explicit LiveHub(ServerContext& ctx);
  ~LiveHub();  // stops

  // The handler of a new connection whose client presented `authorization`
  // (checked again before every push); nullptr when stopped or at
  // live_connections_max.
  std::shared_ptr<WebSocketHandler> Open(std::weak_ptr<WebSocketPeer> peer,
                                         std::string authorization);
  size_t connections() const;
  // Stops listening, closes every connection (kGoingAway) and joins the
  // hub thread. Call before the listener stops. Idempotent.
  void Stop();

 private:
  friend class LiveSession;

  // A committed transaction to push (txn set), or a reload notice in its
  // place (txn null), or a session's task.
  struct Work {
    std::shared_ptr<const Transaction> txn;
    uint64_t sequence = 0;
    std::string cube;
    std::function<void()> task;
  };

  void OnCommit(const std::shared_ptr<const Transaction>& txn);
  void Post(std::function<void()> task);  // any thread
  void Run();
  void Push(const Work& work);
  std::vector<std::string> ChangedCubes(const Transaction& txn) const;
  void PushReloads(const Transaction& txn);

  // Hub thread only, for LiveSession.
  void Subscribe(const std::shared_ptr<LiveSession>& session, const std::string& cube);
  void Unsubscribe(const std::shared_ptr<LiveSession>& session, const std::string& cube);
  void Closed(const std::shared_ptr<LiveSession>& session);
  // What `p` is shown of `txn`: a change, a reload notice for a transaction
  // whose deltas are not all at hand, or nullptr when nothing is readable.
  std::shared_ptr<const std::string> Message(const Principal& p, const Transaction& txn) const;
  std::shared_ptr<const std::string> Reload(const Principal& p, uint64_t sequence,
                                            const std::string& cube) const;

  ServerContext& ctx_;
  uint64_t listener_id_ = 0;

  mutable std::mutex mu_;  // guards the members up to thread_
  std::condition_variable wake_;
  std::deque<Work> queue_;
  size_t queued_transactions_ = 0;
  std::set<std::shared_ptr<LiveSession>> sessions_;
  bool stopping_ = false;
  std::thread thread_;
  std::once_flag stopped_;

  // Hub thread only. Every transaction up to sequence_ was pushed, or
  // committed before the hub listened.
  uint64_t sequence_ = 0;
  std::map<std::string, std::set<std::shared_ptr<LiveSession>>> subscribers_;  // by cube
};

// GET /api/live: a WebSocket upgrade (426 UPGRADE_REQUIRED otherwise).
void AddLiveRoute(Router& router, ServerContext& ctx, const LiveHub& hub);

}  // namespace quantatom::server
