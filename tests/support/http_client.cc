#include "support/http_client.h"

#include <boost/asio/ssl/host_name_verification.hpp>
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
  std::optional<net::ssl::context> tls;  // set: HTTPS
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool connected() const { return plain || secure; }
  void Disconnect() {
    plain.reset();
    secure.reset();
  }
  void Connect(uint16_t port, beast::error_code& ec) {
    tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
    buffer.clear();
    if (!tls) {
      plain.emplace(ioc);
      plain->connect(server, ec);
      return;
    }
    secure.emplace(ioc, *tls);
    beast::get_lowest_layer(*secure).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(*secure).connect(server, ec);
    if (!ec) secure->handshake(net::ssl::stream_base::client, ec);
  }
  template <class Stream>
  void Exchange(Stream& stream, http::request<http::string_body>& req,
                http::response_parser<http::string_body>& parser, beast::error_code& ec) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    http::write(stream, req, ec);
    if (!ec) http::read(stream, buffer, parser, ec);
  }
};

HttpClient::HttpClient(uint16_t port, const std::string& tls_ca_file)
    : port_(port), impl_(std::make_unique<Impl>()) {
  if (tls_ca_file.empty()) return;
  impl_->tls.emplace(net::ssl::context::tls_client);
  impl_->tls->load_verify_file(tls_ca_file);
  impl_->tls->set_verify_mode(net::ssl::verify_peer);
  impl_->tls->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
}
HttpClient::~HttpClient() = default;

HttpReply HttpClient::Request(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& token,
                              const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  if (req.method() == http::verb::unknown) req.method_string(method);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  // One retry: a kept-alive connection the server closed meanwhile.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->connected()) {
      impl_->Connect(port_, ec);
      ++connects_;
      if (ec) {
        impl_->Disconnect();
        return {};
      }
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 30);
    if (impl_->secure)
      impl_->Exchange(*impl_->secure, req, parser, ec);
    else
      impl_->Exchange(*impl_->plain, req, parser, ec);
    if (ec) {
      impl_->Disconnect();
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
    if (!res.keep_alive()) impl_->Disconnect();
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
