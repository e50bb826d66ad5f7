// A small blocking HTTP/1.1 client (Boost.Beast) for the server's
// integration tests: keep-alive requests, and raw bytes for malformed ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace quantatom::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (the connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json Json() const;                 // null when the body is not JSON
  // The error code of an error answer, "" otherwise.
  std::string ErrorCode() const;
};

class HttpClient {
 public:
  // With `tls_ca_file` (PEM), HTTPS: the server's certificate must chain to
  // it and name 127.0.0.1.
  explicit HttpClient(uint16_t port, const std::string& tls_ca_file = "");
  ~HttpClient();

  // Sends on the open connection (connecting first when there is none) and
  // reads the answer; the connection stays open unless the server closed it.
  HttpReply Request(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& token = "",
                    const std::map<std::string, std::string>& headers = {});
  HttpReply Get(const std::string& target, const std::string& token = "") {
    return Request("GET", target, "", token);
  }
  HttpReply Post(const std::string& target, const nlohmann::json& body,
                 const std::string& token = "") {
    return Request("POST", target, body.dump(), token);
  }
  // Connections made so far (keep-alive reuses one).
  int connects() const { return connects_; }

  struct Impl;

 private:
  uint16_t port_;
  int connects_ = 0;
  std::unique_ptr<Impl> impl_;
};

// Opens a fresh connection, writes `bytes` and returns everything the
// server sends until it closes the connection or `wait` passes.
std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::milliseconds(3000));
// True when the server closes an idle connection (sent `bytes`, then nothing)
// within `wait`.
bool ServerClosesWithin(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait);

}  // namespace quantatom::testing
