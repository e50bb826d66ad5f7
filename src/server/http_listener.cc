#include "server/http_listener.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "server/beast.h"
#include "server/router.h"

namespace quantatom::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Shared {
  explicit Shared(int workers) : pool(workers) {}
  HttpLimits limits;
  Dispatcher dispatch;
  std::atomic<size_t> connections{0};
  // Handlers run here, not on the I/O thread: a slow grid or a commit
  // waiting for its fsync must not hold up parsing, accepting or /healthz.
  // Each connection has at most one request in the pool, so the queue is
  // bounded by connections_max.
  net::thread_pool pool;
};

// '+' is a space in query strings (form encoding); a literal '+' is %2B.
void ParseQuery(std::string_view query, std::map<std::string, std::string>& out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq)),
        value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    std::replace(key.begin(), key.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    std::string k, v;
    // A malformed escape keeps the raw text: the handler then reports it as
    // an unknown member or a bad number, which names it.
    out[PercentDecode(key, k) ? k : key] = PercentDecode(value, v) ? v : value;
  }
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared, bool over_limit)
      : stream_(std::move(socket)), shared_(std::move(shared)), over_limit_(over_limit) {
    ++shared_->connections;
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }
  ~Session() { --shared_->connections; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Begin, shared_from_this()));
  }

 private:
  void Begin() {
    if (over_limit_) {
      Reply(ErrorResponse(503, "TOO_MANY_CONNECTIONS",
                          "the server has reached its connection limit; retry later"),
            11, true);
      return;
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(shared_->limits.body_bytes_max);
    parser_->header_limit(static_cast<uint32_t>(shared_->limits.header_bytes_max));
    stream_.expires_after(shared_->limits.idle_time_max);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    stream_.expires_after(shared_->limits.request_time_max);
    auto& req = parser_->get();
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

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Reply(ErrorResponse(413, "BODY_TOO_LARGE",
                                 "the body is larger than " +
                                     std::to_string(shared_->limits.body_bytes_max) + " bytes"),
                   11, true);
    }
    if (ec == http::error::header_limit) {
      return Reply(ErrorResponse(431, "HEADERS_TOO_LARGE", "the request headers are too large"), 11,
                   true);
    }
    // A peer that went away or stayed silent gets no answer.
    if (ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
        ec == http::error::end_of_stream || ec == http::error::partial_message)
      return Close();
    Reply(ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message()), 11, true);
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    HttpRequest r;
    r.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), r.query);
    r.authorization = std::string(req[http::field::authorization]);
    r.remote_address = remote_address_;
    r.body = std::move(req.body());
    // The connection has no operation pending until the answer is posted
    // back to its strand, so nothing else touches the stream meanwhile.
    net::post(shared_->pool, [self = shared_from_this(), r = std::move(r), version = req.version(),
                              close = !req.keep_alive()]() mutable {
      HttpResponse out = self->shared_->dispatch(r);
      net::post(self->stream_.get_executor(),
                [self, out = std::move(out), version, close]() mutable {
                  self->Reply(std::move(out), version, close);
                });
    });
  }

  void Reply(HttpResponse out, unsigned version, bool close) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(out.status));
    res->version(version);
    res->set(http::field::server, "quantatom");
    res->set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) res->set(name, value);
    res->body() = std::move(out.body);
    res->keep_alive(!close);
    res->prepare_payload();
    stream_.expires_after(shared_->limits.request_time_max);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                        if (ec || close) return self->Close();
                        self->ReadHeader();
                      });
  }

  // Half-closes, then reads and drops what the client still sends for up to
  // a second before closing: closing with unread data resets the connection,
  // and the client could lose the answer (a 413 while it sends its body).
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    drain_ = std::make_unique<std::array<char, 16384>>();
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(*drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->stream_.close();
                              self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  std::string remote_address_;
  bool over_limit_;
  std::unique_ptr<std::array<char, 16384>> drain_;  // while closing
};

}  // namespace

struct HttpListener::Impl {
  explicit Impl(int workers)
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
      std::make_shared<Session>(std::move(s), shared, over)->Start();
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

Result<std::unique_ptr<HttpListener>> HttpListener::Start(const std::string& address, uint16_t port,
                                                          int threads, HttpLimits limits,
                                                          Dispatcher dispatch) {
  if (threads < 1) return Status::Invalid("threads must be at least 1");
  auto impl = std::make_unique<Impl>(threads);
  impl->shared->limits = limits;
  impl->shared->dispatch = std::move(dispatch);
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
    impl_->shared->pool.stop();
    impl_->shared->pool.join();
  });
}

}  // namespace quantatom::server
