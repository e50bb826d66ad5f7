// A WebSocket connection as the server's live updates see it, free of Beast:
// the listener (http_listener.cc, websocket_session.h) owns the socket and
// its outbound queue, a handler answers what the client sends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/api.h"

namespace quantatom::server {

// The codes of RFC 6455, section 7.4.1, that the server closes with.
enum class WebSocketClose : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,        // the server stops
  kPolicyViolation = 1008,  // the token expired or was revoked
  kTooBig = 1009,           // a message over the limit
  kTryAgainLater = 1013,    // a full queue or the connection limit
};

// The sending side of one connection. Thread-safe; calls after the
// connection closed do nothing.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text message. When the connection's queue is full the client
  // is too slow: the connection is closed with kTryAgainLater instead and
  // false returned, so one client never holds up the others.
  virtual bool Send(std::shared_ptr<const std::string> text) = 0;
  // Sends a close frame with `reason` and closes; messages not yet written
  // are dropped, and a client that does not answer is cut off.
  virtual void Close(WebSocketClose code, std::string reason) = 0;
};

// The receiving side, given by the server for each accepted connection.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // Each message, one at a time, in order.
  virtual void OnMessage(std::string text) = 0;
  // Once, when the connection closed for any reason; no call follows.
  virtual void OnClose() = 0;
};

// What the server answers an upgrade request: a refusal sent as an HTTP
// response (401, 404, 503, ...), or else `accept`, called once the
// handshake succeeded; `accept` may still return nullptr (the server is
// stopping or full), and the connection is then closed with kTryAgainLater.
struct WebSocketUpgrade {
  std::optional<HttpResponse> refusal;
  std::function<std::shared_ptr<WebSocketHandler>(std::shared_ptr<WebSocketPeer>)> accept;
};

// Answers every upgrade request; runs on a worker thread, must not throw.
using UpgradeDispatcher = std::function<WebSocketUpgrade(HttpRequest&)>;

}  // namespace quantatom::server
