// One WebSocket connection of the listener, made from an HTTP connection
// whose upgrade request the server accepted. Private to http_listener.cc;
// the server sees it as a WebSocketPeer (websocket.h).
//
// Everything but Send and Close runs on the connection's strand. Messages
// to send wait in a queue bounded by websocket_queued_messages_max: the
// queue, not the sender, absorbs a slow client, and a client that falls
// that far behind is closed.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>

#include "server/beast.h"
#include "server/http_listener.h"
#include "server/websocket.h"

namespace quantatom::server {

template <class Stream>
class WebSocketSession final : public WebSocketPeer,
                               public std::enable_shared_from_this<WebSocketSession<Stream>> {
  using std::enable_shared_from_this<WebSocketSession<Stream>>::shared_from_this;

 public:
  using Accept = std::function<std::shared_ptr<WebSocketHandler>(std::shared_ptr<WebSocketPeer>)>;

  // `connections` counts open connections, this one included while it lives.
  WebSocketSession(Stream&& stream, const HttpLimits& limits,
                   std::shared_ptr<std::atomic<size_t>> connections)
      : ws_(std::move(stream)),
        executor_(ws_.get_executor()),
        limits_(limits),
        connections_(std::move(connections)),
        cut_off_timer_(executor_) {
    ++*connections_;
  }
  ~WebSocketSession() override { --*connections_; }

  // Answers the upgrade request `req`, then hands the connection to `accept`.
  void Start(boost::beast::http::request<boost::beast::http::string_body> req, Accept accept) {
    namespace websocket = boost::beast::websocket;
    // From here the WebSocket stream keeps time, not the TCP stream.
    boost::beast::get_lowest_layer(ws_).expires_never();
    // Pushes are small and must leave at once: Nagle's algorithm would hold
    // one back until the client acknowledged the last (up to 40 ms with
    // delayed acknowledgements).
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true),
                                                            ec);
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = limits_.request_time_max;
    timeout.idle_timeout = limits_.websocket_idle_time_max;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(boost::beast::http::field::server, "quantatom");
    }));
    ws_.read_message_max(limits_.websocket_message_bytes_max);
    auto request = std::make_shared<decltype(req)>(std::move(req));
    ws_.async_accept(*request, [self = shared_from_this(), request,
                                accept = std::move(accept)](boost::beast::error_code ec) {
      if (ec) return;  // the connection goes with this handler
      self->handler_ = accept(self);
      if (!self->handler_) {
        self->closing_ = true;
        return self->StartClose(WebSocketClose::kTryAgainLater,
                                "the server has reached its live connection limit");
      }
      self->Read();
    });
  }

  bool Send(std::shared_ptr<const std::string> text) override {
    if (closed_.load()) return false;
    if (queued_.fetch_add(1) >= limits_.websocket_queued_messages_max) {
      --queued_;
      Close(WebSocketClose::kTryAgainLater,
            "too slow: " + std::to_string(limits_.websocket_queued_messages_max) +
                " messages were waiting to be sent");
      return false;
    }
    boost::asio::post(executor_, [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closing_) {
        --self->queued_;
        return;
      }
      self->out_.push_back(std::move(text));
      if (!self->writing_) self->Write();
    });
    return true;
  }

  void Close(WebSocketClose code, std::string reason) override {
    boost::asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)] {
      if (self->closing_) return;
      self->closing_ = true;
      self->StartClose(code, reason);
    });
  }

 private:
  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](boost::beast::error_code ec, size_t) {
      if (ec) return self->Closed();
      std::string text = boost::beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      if (self->handler_) self->handler_->OnMessage(std::move(text));
      self->Read();
    });
  }

  void Write() {
    std::shared_ptr<const std::string> text = std::move(out_.front());
    out_.pop_front();
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*text),
                    [self = shared_from_this(), text](boost::beast::error_code ec, size_t) {
                      self->writing_ = false;
                      --self->queued_;
                      if (ec) return;  // the pending read sees the connection go
                      if (!self->out_.empty() && !self->closing_) self->Write();
                    });
  }

  // Messages not yet written are dropped. A client that does not answer the
  // close frame within a second (or never reads what it was sent) is cut off.
  void StartClose(WebSocketClose code, const std::string& reason) {
    queued_ -= out_.size();
    out_.clear();
    constexpr size_t kReasonBytesMax = 123;  // RFC 6455: a control frame carries 125 bytes
    boost::beast::websocket::close_reason why(
        static_cast<boost::beast::websocket::close_code>(code), reason.substr(0, kReasonBytesMax));
    ws_.async_close(why, [self = shared_from_this()](boost::beast::error_code) {});
    cut_off_timer_.expires_after(std::chrono::seconds(1));
    cut_off_timer_.async_wait([self = shared_from_this()](boost::beast::error_code ec) {
      if (!ec) boost::beast::get_lowest_layer(self->ws_).close();
    });
  }

  // The read failed: the client or the server closed, or the peer is gone.
  void Closed() {
    closing_ = true;
    closed_ = true;
    cut_off_timer_.cancel();
    if (auto handler = std::move(handler_)) handler->OnClose();
  }

  boost::beast::websocket::stream<Stream> ws_;
  boost::asio::any_io_executor executor_;  // the connection's strand
  HttpLimits limits_;
  std::shared_ptr<std::atomic<size_t>> connections_;
  boost::asio::steady_timer cut_off_timer_;
  boost::beast::flat_buffer in_;
  std::shared_ptr<WebSocketHandler> handler_;  // set once accepted, until closed
  std::deque<std::shared_ptr<const std::string>> out_;
  std::atomic<size_t> queued_{0};  // out_, the message being written, and those posted
  std::atomic<bool> closed_{false};
  bool writing_ = false;
  bool closing_ = false;  // a close was started: nothing more is written
};

}  // namespace quantatom::server
