#include "support/ws_client.h"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <optional>

#include "server/beast.h"

namespace quantatom::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

}  // namespace

struct WsClient::Impl {
  net::io_context ioc;
  std::optional<net::ssl::context> tls;
  std::optional<websocket::stream<beast::tcp_stream>> plain;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
  beast::flat_buffer buffer;
  bool read_pending = false;
  std::optional<beast::error_code> read_result;  // set when the pending read completed

  // Calls `f` with whichever stream is open.
  template <class F>
  void With(F&& f) {
    if (secure)
      f(*secure);
    else
      f(*plain);
  }
};

WsClient::WsClient(uint16_t port, const std::string& target, const std::string& token,
                   const std::string& tls_ca_file, int receive_buffer_bytes)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
  beast::error_code ec;
  if (tls_ca_file.empty()) {
    m.plain.emplace(m.ioc);
  } else {
    m.tls.emplace(net::ssl::context::tls_client);
    m.tls->load_verify_file(tls_ca_file);
    m.tls->set_verify_mode(net::ssl::verify_peer);
    m.tls->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
    m.secure.emplace(m.ioc, *m.tls);
  }
  m.With([&](auto& ws) {
    auto& tcp_stream = beast::get_lowest_layer(ws);
    tcp_stream.expires_after(std::chrono::seconds(10));
    if (receive_buffer_bytes > 0) {
      tcp_stream.socket().open(tcp::v4());
      tcp_stream.socket().set_option(net::socket_base::receive_buffer_size(receive_buffer_bytes));
    }
    tcp_stream.connect(server, ec);
    if (ec) return;
    if constexpr (!std::is_same_v<std::decay_t<decltype(ws)>,
                                  websocket::stream<beast::tcp_stream>>) {
      ws.next_layer().handshake(net::ssl::stream_base::client, ec);
      if (ec) return;
    }
    ws.set_option(websocket::stream_base::decorator([&token](websocket::request_type& req) {
      if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    }));
    // The asynchronous handshake keeps a refusal's response; the blocking one does not.
    websocket::response_type res;
    ws.async_handshake(res, "127.0.0.1", target, [&ec](beast::error_code e) { ec = e; });
    m.ioc.run();
    m.ioc.restart();
    upgrade_status_ = res.result_int();
    tcp_stream.expires_never();
    open_ = !ec;
  });
}

WsClient::~WsClient() = default;

void WsClient::SendText(const std::string& text) {
  if (!open_ || closed_) return;
  beast::error_code ec;
  impl_->With([&](auto& ws) {
    ws.text(true);
    ws.write(net::buffer(text), ec);
  });
}

std::optional<nlohmann::json> WsClient::Receive(std::chrono::milliseconds wait) {
  Impl& m = *impl_;
  if (!open_ || closed_) return std::nullopt;
  if (!m.read_pending) {
    m.read_pending = true;
    m.read_result.reset();
    m.With([&](auto& ws) {
      ws.async_read(m.buffer, [&m](beast::error_code ec, size_t) { m.read_result = ec; });
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  m.ioc.restart();
  while (!m.read_result && std::chrono::steady_clock::now() < deadline)
    m.ioc.run_one_until(deadline);
  if (!m.read_result) return std::nullopt;  // still pending: the next call waits on
  m.read_pending = false;
  if (*m.read_result) {
    closed_ = true;
    m.With([&](auto& ws) {
      close_code_ = ws.reason().code;
      close_reason_ = std::string(ws.reason().reason.c_str());
    });
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(m.buffer.data());
  m.buffer.consume(m.buffer.size());
  return nlohmann::json::parse(text, nullptr, false);
}

std::optional<nlohmann::json> WsClient::ReceiveType(const std::string& type,
                                                    std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    std::optional<nlohmann::json> m = Receive(left);
    if (!m) return std::nullopt;
    if (m->is_object() && m->value("type", "") == type) return m;
  }
}

}  // namespace quantatom::testing
