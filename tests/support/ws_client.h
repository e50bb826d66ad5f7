// A small blocking WebSocket client (Boost.Beast) for the live-updates
// tests: opens a connection with an upgrade request, sends JSON, and waits
// a bounded time for each message.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace quantatom::testing {

class WsClient {
 public:
  // Upgrades GET `target` on 127.0.0.1:port, with "Authorization: Bearer
  // TOKEN" unless `token` is empty; over TLS with `tls_ca_file` (PEM).
  // `receive_buffer_bytes` > 0 shrinks the socket's receive buffer, so a
  // client that stops reading holds up its server soon.
  WsClient(uint16_t port, const std::string& target, const std::string& token = "",
           const std::string& tls_ca_file = "", int receive_buffer_bytes = 0);
  ~WsClient();

  bool open() const { return open_; }
  // The HTTP status of the answer to the upgrade request (101 when open).
  int upgrade_status() const { return upgrade_status_; }

  void Send(const nlohmann::json& message) { SendText(message.dump()); }
  void SendText(const std::string& text);
  // The next message within `wait`; nullopt when none came or the
  // connection closed (see closed()).
  std::optional<nlohmann::json> Receive(std::chrono::milliseconds wait = std::chrono::seconds(5));
  // The next message of this "type", skipping others, within `wait`.
  std::optional<nlohmann::json> ReceiveType(
      const std::string& type, std::chrono::milliseconds wait = std::chrono::seconds(5));
  bool closed() const { return closed_; }
  // The server's close frame, once closed: its code and reason.
  uint16_t close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  bool open_ = false;
  int upgrade_status_ = 0;
  bool closed_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

}  // namespace quantatom::testing
