#include "support/http_client.h"

#include <optional>

#include "server/beast.h"

namespace quantatom::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

nlohmann::json HttpReply::Json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpReply::ErrorCode() const {
  nlohmann::json j = Json();
  if (!j.is_object() || !j.contains("error")) return "";
  return j["error"].value("code", "");
}

struct HttpClient::Impl {
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(uint16_t port) : port_(port), impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

HttpReply HttpClient::Request(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& token) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  if (req.method() == http::verb::unknown) req.method_string(method);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  // One retry: a kept-alive connection the server closed meanwhile.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->stream) {
      impl_->stream.emplace(impl_->ioc);
      impl_->stream->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
      ++connects_;
      if (ec) {
        impl_->stream.reset();
        return {};
      }
      impl_->buffer.clear();
    }
    impl_->stream->expires_after(std::chrono::seconds(30));
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 30);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      continue;
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = res.result_int();
    reply.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return reply;
  }
  return {};
}

std::string RawExchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return "";
  stream.expires_after(wait);
  net::write(stream, net::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  while (true) {
    size_t n = stream.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

bool ServerClosesWithin(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return false;
  stream.expires_after(wait);
  net::write(stream, net::buffer(bytes), ec);
  char buf[4096];
  while (!ec) stream.read_some(net::buffer(buf), ec);
  // EOF or a reset: the server closed it; timeout: we gave up first.
  return ec != beast::error::timeout;
}

}  // namespace quantatom::testing
