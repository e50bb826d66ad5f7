// One WebSocket connection to /api/live: the token its client presented
// and the cubes it subscribed to. What the client sends is handled on the
// hub's thread, in order with the pushes, so a subscription's replay and
// the live changes after it neither overlap nor leave a gap.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "server/live_hub.h"

namespace quantatom::server {

class LiveSession final : public WebSocketHandler,
                          public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(LiveHub& hub, std::weak_ptr<WebSocketPeer> peer, std::string authorization);

  void OnMessage(std::string text) override;
  void OnClose() override;

  // The rest on the hub thread only.

  // The principal as of now; nullopt, with the connection closed, when its
  // token expired or was revoked.
  std::optional<Principal> Authenticate();
  void Send(std::shared_ptr<const std::string> message);
  void Close(WebSocketClose code, std::string reason);

 private:
  void Handle(const std::string& text);
  void Subscribe(const json& request, const Principal& p);
  void Unsubscribe(const json& request);
  // Pushes what `p` may see of the transactions on `cube` after `after` up
  // to the hub's sequence, or a reload notice when they are too many.
  void Replay(const Principal& p, const std::string& cube, uint64_t after);
  void SendJson(const json& message);

  LiveHub& hub_;
  std::weak_ptr<WebSocketPeer> peer_;
  const std::string authorization_;
  std::set<std::string> cubes_;  // subscribed
};

}  // namespace quantatom::server
