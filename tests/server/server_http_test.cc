// The HTTP layer: limits on bodies, connections and time; malformed
// requests answered 4xx without harming the server; 404 and 405; keep-alive;
// an OpenAPI document that lists exactly the routes served.
#include <thread>

#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerHttpTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    o.http.body_bytes_max = 4096;
    o.http.connections_max = 8;
  }
  void ExpectStillServing() {
    HttpClient fresh(port());
    EXPECT_EQ(fresh.Get("/healthz").status, 200);
    EXPECT_EQ(fresh.Get("/api/model", token_).status, 200);
  }
};

TEST_F(ServerHttpTest, OversizedBodyIs413AndTheServerGoesOn) {
  std::string big = "{\"rows\": \"" + std::string(5000, 'x') + "\"}";
  HttpReply r = client_->Request("POST", "/api/cubes/Sales/view", big, token_);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.ErrorCode(), "BODY_TOO_LARGE");
  // More than the socket buffers hold, sent whole before the client reads:
  // the answer still arrives (the server drains before it closes).
  HttpClient other(port());
  HttpReply huge =
      other.Request("POST", "/api/cubes/Sales/cells", std::string(32 << 20, ' '), token_);
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(other.connects(), 1);
  // Announced with Expect: 100-continue, it is refused before the body is sent.
  std::string raw = RawExchange(port(),
                                "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                                "Expect: 100-continue\r\n\r\n");
  EXPECT_NE(raw.find("413"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("100 Continue"), std::string::npos) << raw;
  ExpectStillServing();
}

TEST_F(ServerHttpTest, ExpectContinueGetsContinueThenTheAnswer) {
  std::string body = R"({"user": "admin", "password": "admin-password"})";
  std::string raw =
      RawExchange(port(),
                  "POST /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  "Content-Length: " +
                      std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n" + body);
  EXPECT_EQ(raw.rfind("HTTP/1.1 100 Continue", 0), 0u) << raw;
  EXPECT_NE(raw.find("HTTP/1.1 200 OK"), std::string::npos) << raw;
}

TEST_F(ServerHttpTest, MalformedRequestsGet4xxAndTheServerGoesOn) {
  EXPECT_EQ(client_->Request("POST", "/api/cubes/Sales/cells", "{\"cells\": [", token_).ErrorCode(),
            "MALFORMED_JSON");
  EXPECT_EQ(client_->Request("POST", "/api/cubes/Sales/cells", "\xff\xfe", token_).ErrorCode(),
            "MALFORMED_JSON");
  EXPECT_EQ(client_->Request("POST", "/api/cubes/Sales/cells", "", token_).ErrorCode(),
            "MALFORMED_JSON");
  std::string deep = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_EQ(client_->Request("POST", "/api/cubes/Sales/view", "{\"rows\": " + deep + "}", token_)
                .ErrorCode(),
            "JSON_TOO_DEEP");
  for (const std::string& garbage :
       {std::string("HELLO\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
        std::string("POST /api/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string(1000, '\0')}) {
    std::string raw = RawExchange(port(), garbage);
    EXPECT_TRUE(raw.empty() || raw.rfind("HTTP/1.1 400", 0) == 0) << raw;
  }
  std::string header = "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(RawExchange(port(), header).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members?search=%zz", token_).status, 200);
  ExpectStillServing();
}

TEST_F(ServerHttpTest, UnknownRouteIs404AndWrongMethodIs405) {
  HttpReply none = client_->Get("/api/nothing", token_);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.ErrorCode(), "NO_ROUTE");
  EXPECT_EQ(client_->Get("/api/cubes/Sales/view/extra", token_).status, 404);
  EXPECT_EQ(client_->Get("/api//cubes", token_).status, 404);
  HttpReply wrong = client_->Request("DELETE", "/api/cubes/Sales/view", "", token_);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.ErrorCode(), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(wrong.headers["allow"], "POST");
  EXPECT_EQ(client_->Request("BREW", "/healthz").status, 405);
  // A percent-encoded slash stays inside its segment.
  EXPECT_EQ(client_->Get("/api/cubes/Sal%2Fes", token_).status, 404);
  EXPECT_EQ(client_->Get("/api/cubes/Sal%65s", token_).status, 200);
}

TEST_F(ServerHttpTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient one(port());
  for (int i = 0; i < 50; ++i) ASSERT_EQ(one.Get("/api/cubes", token_).status, 200);
  EXPECT_EQ(one.connects(), 1);
}

class ServerTimeoutTest : public ServerHttpTest {
 protected:
  void Configure(server::ServerOptions& o) override {
    o.http.request_time_max = std::chrono::milliseconds(300);
    o.http.idle_time_max = std::chrono::milliseconds(300);
  }
};

TEST_F(ServerTimeoutTest, SilentAndSlowClientsAreDisconnected) {
  EXPECT_TRUE(ServerClosesWithin(port(), "", std::chrono::milliseconds(3000)));
  EXPECT_TRUE(ServerClosesWithin(
      port(), "GET /healthz HTTP/1.1\r\nHost:", std::chrono::milliseconds(3000)));
  EXPECT_TRUE(ServerClosesWithin(
      port(), "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",
      std::chrono::milliseconds(3000)));
  ExpectStillServing();
}

TEST_F(ServerHttpTest, ConnectionsPastTheLimitGet503) {
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 7; ++i) {
    held.push_back(std::make_unique<HttpClient>(port()));
    ASSERT_EQ(held.back()->Get("/healthz").status, 200);
  }
  // The fixture's client holds the 8th.
  std::string refused = RawExchange(port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("TOO_MANY_CONNECTIONS"), std::string::npos);
  held.clear();
  // Closed connections are counted out once the server sees them close.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = HttpClient(port()).Get("/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerHttpTest, OpenApiListsExactlyTheServedRoutes) {
  HttpReply r = client_->Get("/api/openapi.json", token_);
  ASSERT_EQ(r.status, 200);
  json doc = r.Json();
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  size_t operations = 0;
  for (auto& [path, methods] : doc["paths"].items()) {
    for (auto& [method, op] : methods.items()) {
      ++operations;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      // Every documented operation is served: not 404 NO_ROUTE nor 405.
      HttpReply served = client_->Request(upper, Concrete(path), "{}", token_);
      EXPECT_NE(served.ErrorCode(), "NO_ROUTE") << upper << " " << path;
      EXPECT_NE(served.status, 405) << upper << " " << path;
      EXPECT_TRUE(op.contains("responses") && op.contains("summary")) << path;
    }
  }
  // And every served route is documented, with its path parameters.
  for (const server::Route& route : server_->router().routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(route.pattern)) << route.pattern;
    ASSERT_TRUE(doc["paths"][route.pattern].contains(method)) << route.method << route.pattern;
    size_t params = std::count(route.pattern.begin(), route.pattern.end(), '{');
    size_t documented = 0;
    for (const json& p : doc["paths"][route.pattern][method]["parameters"])
      documented += p["in"] == "path";
    EXPECT_EQ(documented, params) << route.pattern;
    EXPECT_TRUE(doc["paths"][route.pattern][method]["responses"].contains(
        std::to_string(route.success_status)));
  }
  EXPECT_EQ(operations, server_->router().routes().size());
}

}  // namespace
}  // namespace quantatom::testing
