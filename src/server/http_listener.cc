#include "server/http_listener.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "server/beast.h"
#include "server/http_request.h"
#include "server/websocket_session.h"

namespace quantatom::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Shared {
  explicit Shared(const Workers& w)
      : commits(w.commits), pool(w.threads), commit_pool(w.commit_threads) {}
  HttpLimits limits;
  Dispatcher dispatch;
  std::function<bool(const HttpRequest&)> commits;
  UpgradeDispatcher upgrade;        // may be empty
  std::optional<ssl::context> tls;  // set: every connection speaks TLS
  std::atomic<size_t> connections{0};
  // Handlers run here, not on the I/O thread: a slow grid or a commit
  // waiting for its fsync must not hold up parsing, accepting or /healthz.
  // Each connection has at most one request in the pool, so the queue is
  // bounded by connections_max.
  net::thread_pool pool;
  // Requests that commit wait mostly for a shared fsync, not for a core:
  // on a pool of their own, many wait at once and share group commits,
  // and reads never queue behind them.
  net::thread_pool commit_pool;
};

// The open-connection count, keeping the rest of Shared alive with it.
std::shared_ptr<std::atomic<size_t>> ConnectionCount(const std::shared_ptr<Shared>& shared) {
  return {shared, &shared->connections};
}

// One connection. `Stream` is beast::tcp_stream, or TlsStream over one: the
// TLS session shakes hands first and says close_notify last.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared, bool over_limit) requires(!kTls)
      : stream_(std::move(socket)), shared_(std::move(shared)), over_limit_(over_limit) {
    Opened();
  }
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared, bool over_limit) requires(kTls)
      : stream_(std::move(socket), *shared->tls),
        shared_(std::move(shared)),
        over_limit_(over_limit) {
    Opened();
  }
  ~Session() { --shared_->connections; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Handshake, shared_from_this()));
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void Opened() {
    ++shared_->connections;
    beast::error_code ec;
    auto remote = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }

  void Handshake() {
    if constexpr (kTls) {
      lowest().expires_after(shared_->limits.request_time_max);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = shared_from_this()](beast::error_code ec) {
                                // Plain HTTP or garbage: nothing to answer it in.
                                if (ec) return self->CloseTcp();
                                self->tls_open_ = true;
                                self->Begin();
                              });
    } else {
      Begin();
    }
  }

  void Begin() {
    if (over_limit_) {
      Refused("", 503);
      Reply(ErrorResponse(503, "TOO_MANY_CONNECTIONS",
                          "the server has reached its connection limit; retry later"),
            11, true);
      return;
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    // The largest limit first: Beast checks a Content-Length against it
    // while reading the header; OnHeader narrows it to the request's own.
    const HttpLimits& limits = shared_->limits;
    body_bytes_max_ = limits.takes_bulk_body
                          ? std::max(limits.body_bytes_max, limits.bulk_body_bytes_max)
                          : limits.body_bytes_max;
    parser_->body_limit(body_bytes_max_);
    parser_->header_limit(static_cast<uint32_t>(shared_->limits.header_bytes_max));
    lowest().expires_after(shared_->limits.idle_time_max);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    lowest().expires_after(shared_->limits.request_time_max);
    auto& req = parser_->get();
    body_bytes_max_ = BodyBytesMax(req);
    if (parser_->content_length().value_or(0) > body_bytes_max_)
      return OnReadError(http::error::body_limit);
    parser_->body_limit(body_bytes_max_);  // for a chunked body
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl waits for this before sending a body over 1 KiB.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  size_t BodyBytesMax(const http::request<http::string_body>& req) const {
    const HttpLimits& limits = shared_->limits;
    if (!limits.takes_bulk_body) return limits.body_bytes_max;
    std::string_view target(req.target().data(), req.target().size());
    std::string_view method(req.method_string().data(), req.method_string().size());
    return limits.takes_bulk_body(method, target.substr(0, target.find('?')))
               ? limits.bulk_body_bytes_max
               : limits.body_bytes_max;
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void Refused(std::string_view method, int status) {
    if (shared_->limits.refused) shared_->limits.refused(method, status);
  }

  // The method of the request being read, when its header was read whole.
  std::string_view MethodRead() const {
    if (!parser_ || !parser_->is_header_done()) return {};
    auto m = parser_->get().method_string();
    return {m.data(), m.size()};
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      Refused(MethodRead(), 413);
      return Reply(
          ErrorResponse(413, "BODY_TOO_LARGE",
                        "the body is larger than " + std::to_string(body_bytes_max_) + " bytes"),
          11, true);
    }
    if (ec == http::error::header_limit) {
      Refused(MethodRead(), 431);
      return Reply(ErrorResponse(431, "HEADERS_TOO_LARGE", "the request headers are too large"), 11,
                   true);
    }
    // A peer that went away or stayed silent gets no answer.
    if (ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
        ec == http::error::end_of_stream || ec == http::error::partial_message)
      return Close();
    Refused(MethodRead(), 400);
    Reply(ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message()), 11, true);
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    if (shared_->upgrade && websocket::is_upgrade(req)) return Upgrade(std::move(req));
    const unsigned version = req.version();
    const bool close = !req.keep_alive();
    HttpRequest r = ToHttpRequest(std::move(req), remote_address_);
    // The connection has no operation pending until the answer is posted
    // back to its strand, so nothing else touches the stream meanwhile.
    const bool commits = shared_->commits && shared_->commits(r);
    net::post(commits ? shared_->commit_pool : shared_->pool,
              [self = shared_from_this(), r = std::move(r), version, close]() mutable {
                HttpResponse out = self->shared_->dispatch(r);
                net::post(self->stream_.get_executor(),
                          [self, out = std::move(out), version, close]() mutable {
                            self->Reply(std::move(out), version, close);
                          });
              });
  }

  // The server decides on a worker, as for any request; accepted, the
  // stream moves to a WebSocket session and this HTTP session ends.
  void Upgrade(http::request<http::string_body> req) {
    HttpRequest r = ToHttpRequest(http::request<http::string_body>(req), remote_address_);
    net::post(shared_->pool, [self = shared_from_this(), r = std::move(r),
                              req = std::move(req)]() mutable {
      WebSocketUpgrade answer = self->shared_->upgrade(r);
      net::post(self->stream_.get_executor(), [self, answer = std::move(answer),
                                               req = std::move(req)]() mutable {
        if (answer.refusal) return self->Reply(std::move(*answer.refusal), req.version(), true);
        std::make_shared<WebSocketSession<Stream>>(std::move(self->stream_), self->shared_->limits,
                                                   ConnectionCount(self->shared_))
            ->Start(std::move(req), std::move(answer.accept));
      });
    });
  }

  void Reply(HttpResponse out, unsigned version, bool close) {
    if (out.stream) return ReplyStreamed(std::move(out), version, close);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(out.status));
    res->version(version);
    res->set(http::field::server, "quantatom");
    res->set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) res->set(name, value);
    res->body() = std::move(out.body);
    res->keep_alive(!close);
    res->prepare_payload();
    lowest().expires_after(shared_->limits.request_time_max);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                        if (ec || close) return self->Close();
                        self->ReadHeader();
                      });
  }

  // The header now, then the body a chunk at a time: each piece is made on
  // the pool (it may read a cube) and written here before the next is made,
  // so at most one piece is in memory. A stream that throws ends the
  // connection without the last chunk, which the client sees as truncated.
  void ReplyStreamed(HttpResponse out, unsigned version, bool close) {
    auto head = std::make_shared<http::response<http::empty_body>>();
    head->result(static_cast<unsigned>(out.status));
    head->version(version);
    head->set(http::field::server, "quantatom");
    head->set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) head->set(name, value);
    head->keep_alive(!close);
    head->chunked(true);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*head);
    auto stream = std::make_shared<BodyStream>(std::move(out.stream));
    lowest().expires_after(shared_->limits.request_time_max);
    http::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), head, serializer, stream, close](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->NextPiece(stream, close);
        });
  }

  void NextPiece(std::shared_ptr<BodyStream> stream, bool close) {
    net::post(shared_->pool, [self = shared_from_this(), stream, close] {
      auto piece = std::make_shared<std::string>();
      bool more = false, failed = false;
      try {
        more = (*stream)(*piece);
      } catch (const std::exception&) {
        failed = true;
      }
      net::post(self->stream_.get_executor(), [self, stream, piece, more, failed, close] {
        if (failed) return self->Close();
        self->WritePiece(stream, piece, more, close);
      });
    });
  }

  void WritePiece(std::shared_ptr<BodyStream> stream, std::shared_ptr<std::string> piece, bool more,
                  bool close) {
    auto written = [self = shared_from_this(), stream, piece, more, close](beast::error_code ec,
                                                                           size_t) {
      if (ec) return self->Close();
      if (more) return self->NextPiece(stream, close);
      self->lowest().expires_after(self->shared_->limits.request_time_max);
      net::async_write(self->stream_, http::make_chunk_last(),
                       [self, close](beast::error_code ec, size_t) {
                         if (ec || close) return self->Close();
                         self->ReadHeader();
                       });
    };
    lowest().expires_after(shared_->limits.request_time_max);
    // An empty chunk would end the body: skip it.
    if (piece->empty()) return written({}, 0);
    net::async_write(stream_, http::make_chunk(net::buffer(*piece)), std::move(written));
  }

  // TLS says close_notify first (waiting a second at most for the client's).
  void Close() {
    if constexpr (kTls) {
      if (tls_open_) {
        lowest().expires_after(std::chrono::seconds(1));
        stream_.async_shutdown(
            [self = shared_from_this()](beast::error_code) { self->CloseTcp(); });
        return;
      }
    }
    CloseTcp();
  }

  // Half-closes, then reads and drops what the client still sends for up to
  // a second before closing: closing with unread data resets the connection,
  // and the client could lose the answer (a 413 while it sends its body).
  void CloseTcp() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().expires_after(std::chrono::seconds(1));
    drain_ = std::make_unique<std::array<char, 16384>>();
    Drain();
  }

  void Drain() {
    lowest().async_read_some(net::buffer(*drain_),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->lowest().close();
                               self->Drain();
                             });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  size_t body_bytes_max_ = 0;  // of the request being read
  std::string remote_address_;
  bool over_limit_;
  bool tls_open_ = false;                           // the handshake succeeded
  std::unique_ptr<std::array<char, 16384>> drain_;  // while closing
};

}  // namespace

struct HttpListener::Impl {
  explicit Impl(const Workers& workers)
      : ioc(1), acceptor(ioc), retry_timer(ioc), shared(std::make_shared<Shared>(workers)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        // Out of file descriptors, say: pause instead of spinning.
        retry_timer.expires_after(std::chrono::milliseconds(50));
        retry_timer.async_wait([this](beast::error_code e) {
          if (!e) Accept();
        });
        return;
      }
      bool over = shared->connections.load() >= shared->limits.connections_max;
      if (shared->tls)
        std::make_shared<Session<TlsStream>>(std::move(s), shared, over)->Start();
      else
        std::make_shared<Session<beast::tcp_stream>>(std::move(s), shared, over)->Start();
      Accept();
    });
  }

  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  // After ioc: the pool's queued work holds connections, which must go
  // before the io_context they belong to.
  std::shared_ptr<Shared> shared;
  std::thread io_thread;
  uint16_t port = 0;
  std::once_flag stopped;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { Stop(); }

uint16_t HttpListener::port() const { return impl_->port; }
size_t HttpListener::connections_open() const { return impl_->shared->connections.load(); }

namespace {

// TLS 1.2 and 1.3 only, with the server's certificate and key checked now
// rather than at the first handshake.
Result<ssl::context> TlsContext(const TlsOptions& tls) {
  if (tls.cert_file.empty() || tls.key_file.empty())
    return Status::Invalid("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use);
  beast::error_code ec;
  // The key first: a certificate that does not match it then drops it, and
  // the check below names both files (the other order fails inside OpenSSL
  // with "key values mismatch").
  if (ctx.use_private_key_file(tls.key_file, ssl::context::pem, ec); ec)
    return Status::Invalid("TLS key " + tls.key_file + ": " + ec.message());
  if (ctx.use_certificate_chain_file(tls.cert_file, ec); ec)
    return Status::Invalid("TLS certificate " + tls.cert_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return Status::Invalid("TLS key " + tls.key_file + " does not match the certificate " +
                           tls.cert_file);
  return ctx;
}

}  // namespace

Result<std::unique_ptr<HttpListener>> HttpListener::Start(const std::string& address, uint16_t port,
                                                          const Workers& workers, HttpLimits limits,
                                                          const TlsOptions& tls,
                                                          Dispatcher dispatch,
                                                          UpgradeDispatcher upgrade) {
  if (workers.threads < 1 || workers.commit_threads < 1)
    return Status::Invalid("threads must be at least 1");
  auto impl = std::make_unique<Impl>(workers);
  if (tls.enabled()) {
    QA_ASSIGN_OR_RETURN(ssl::context ctx, TlsContext(tls));
    impl->shared->tls.emplace(std::move(ctx));
  }
  impl->shared->limits = limits;
  impl->shared->dispatch = std::move(dispatch);
  impl->shared->upgrade = std::move(upgrade);
  beast::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return Status::Invalid("listen address '" + address + "': " + ec.message());
  tcp::endpoint endpoint(ip, port);
  auto& acceptor = impl->acceptor;
  std::string where = address + ":" + std::to_string(port);
  if (acceptor.open(endpoint.protocol(), ec); ec) return Status::Io("socket: " + ec.message());
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec)
    return Status::Io("SO_REUSEADDR: " + ec.message());
  if (acceptor.bind(endpoint, ec); ec) return Status::Io("bind " + where + ": " + ec.message());
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return Status::Io("listen " + where + ": " + ec.message());
  impl->port = acceptor.local_endpoint().port();
  impl->Accept();
  impl->io_thread = std::thread([io = &impl->ioc] { io->run(); });
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

void HttpListener::Stop() {
  std::call_once(impl_->stopped, [this] {
    // Handlers still queued (and the connections they hold) go with the
    // io_context; the acceptor closes with it.
    impl_->ioc.stop();
    impl_->io_thread.join();
    for (net::thread_pool* pool : {&impl_->shared->pool, &impl_->shared->commit_pool}) {
      pool->stop();
      pool->join();
    }
  });
}

}  // namespace quantatom::server
