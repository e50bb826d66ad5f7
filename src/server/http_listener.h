// The HTTP/1.1 listener (Boost.Beast over Asio, over TLS when configured):
// keep-alive connections on one I/O thread, each request parsed within
// limits and handed to a dispatcher that runs on a pool of worker threads.
// A WebSocket upgrade request goes to the upgrade dispatcher instead and,
// accepted, becomes a WebSocket connection on the same port (websocket.h).
// Beast stays inside http_listener.cc and http_request.cc.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "quantatom/status.h"
#include "server/api.h"
#include "server/websocket.h"

namespace quantatom::server {

struct HttpLimits {
  size_t body_bytes_max = size_t{16} << 20;  // larger: 413 BODY_TOO_LARGE
  // The body of a request `takes_bulk_body` says yes to (a bulk write).
  size_t bulk_body_bytes_max = size_t{1} << 30;
  std::function<bool(std::string_view method, std::string_view path)> takes_bulk_body;
  size_t header_bytes_max = size_t{16} << 10;
  // Open connections; one more is answered 503 TOO_MANY_CONNECTIONS and closed.
  size_t connections_max = 512;
  // From a request's first header line to its last body byte, and again for
  // writing its response; past either the connection is closed.
  std::chrono::milliseconds request_time_max{30'000};
  // A keep-alive connection waiting for its next request.
  std::chrono::milliseconds idle_time_max{60'000};
  // WebSocket connections: a larger message from the client closes the
  // connection (kTooBig); more messages waiting to be sent to a client
  // than this close it as too slow (kTryAgainLater).
  size_t websocket_message_bytes_max = size_t{64} << 10;
  size_t websocket_queued_messages_max = 4096;
  // A WebSocket client silent this long is pinged, and closed when it does
  // not answer within as long again.
  std::chrono::milliseconds websocket_idle_time_max{60'000};
  // Told of each request the listener answers itself before dispatching it
  // (400 BAD_REQUEST, 413, 431, 503 TOO_MANY_CONNECTIONS), with its method
  // when the header was read ("" otherwise), so metrics count them too.
  std::function<void(std::string_view method, int status)> refused;
};

// HTTPS with these PEM files, or plain HTTP when both are empty: one
// listener speaks one of them, never both.
struct TlsOptions {
  std::string cert_file;  // the certificate chain, the server's own first
  std::string key_file;   // its private key, unencrypted
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Answers every request; must not throw (the server's dispatcher catches).
using Dispatcher = std::function<HttpResponse(HttpRequest&)>;

// The threads that run the dispatcher: `threads` for most requests, and
// `commit_threads` for those `commits` says wait for a durable commit.
struct Workers {
  int threads = 2;
  int commit_threads = 64;
  std::function<bool(const HttpRequest&)> commits;
};

class HttpListener {
 public:
  // Binds and listens (port 0: any free port, see port()), then serves
  // until Stop(), dispatching on the `workers` threads. With `tls`, an
  // unreadable file, a key that does not match the certificate or a
  // certificate OpenSSL refuses is kInvalidArgument, naming the file.
  // Without `upgrade`, WebSocket upgrade requests go to `dispatch` as any
  // other request.
  static Result<std::unique_ptr<HttpListener>> Start(const std::string& address, uint16_t port,
                                                     const Workers& workers, HttpLimits limits,
                                                     const TlsOptions& tls, Dispatcher dispatch,
                                                     UpgradeDispatcher upgrade = nullptr);
  ~HttpListener();  // stops

  uint16_t port() const;
  size_t connections_open() const;
  // Stops accepting and answering, and joins the threads: requests being
  // handled finish, their answers are dropped. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantatom::server
