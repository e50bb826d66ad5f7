// The server's security: every route but health and login needs a token;
// sessions expire and can be revoked; API tokens are stored only as hashes;
// failed logins are rate-limited per user and per address.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "server/crypto.h"
#include "server/security_store.h"
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerAuthTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    o.auth.session_seconds = 3600;
    o.auth.login.failures_per_user_max = 3;
    o.auth.login.failures_per_address_max = 6;
    o.auth.login.window_seconds = 600;
  }
  std::string SecurityFile() {
    std::ifstream in(dir() + "/security/security.json");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(ServerAuthTest, EveryRouteButHealthAndLoginAnswers401WithoutAValidToken) {
  const std::vector<std::string> bad_tokens = {"", "nonsense", "qs.e30.AAAA",
                                               "qt.0011223344556677.AAAA", token_ + "x"};
  size_t checked = 0;
  for (const server::Route& route : server_->router().routes()) {
    std::string target = Concrete(route.pattern);
    if (!route.authenticated) {
      EXPECT_TRUE(route.pattern == "/healthz" || route.pattern == "/readyz" ||
                  route.pattern == "/api/login")
          << route.pattern << " is open";
      continue;
    }
    for (const std::string& bad : bad_tokens) {
      HttpReply r = client_->Request(route.method, target, "{}", bad);
      EXPECT_EQ(r.status, 401) << route.method << " " << target << " token '" << bad << "'";
      EXPECT_EQ(r.ErrorCode(), "UNAUTHENTICATED");
      EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    }
    ++checked;
  }
  EXPECT_GE(checked, 25u);  // the role routes included
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  EXPECT_EQ(client_->Get("/readyz").status, 200);
}

TEST_F(ServerAuthTest, LogoutRevokesOnlyThatSession) {
  std::string other = Login(kAdmin, kAdminPassword);
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(client_->Get("/api/model", token_).status, 200);
  EXPECT_EQ(client_->Request("POST", "/api/logout", "", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/model", token_).status, 401);
  EXPECT_EQ(client_->Request("POST", "/api/logout", "", token_).status, 401);
  EXPECT_EQ(client_->Get("/api/model", other).status, 200);
  // A revocation outlives a restart.
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(client_->Get("/api/model", other).status, 200);
  EXPECT_EQ(client_->Request("POST", "/api/logout", "", other).status, 200);
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(client_->Get("/api/model", other).status, 401);
}

TEST_F(ServerAuthTest, SessionsExpire) {
  HttpReply login = client_->Post("/api/login", {{"user", kAdmin}, {"password", kAdminPassword}});
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(login.Json()["expires_s"], now_s_.load() + 3600);
  std::string token = login.Json()["token"];
  now_s_ += 3599;
  EXPECT_EQ(client_->Get("/api/model", token).status, 200);
  now_s_ += 1;
  EXPECT_EQ(client_->Get("/api/model", token).status, 401);
}

TEST_F(ServerAuthTest, TamperedSessionTokenIsRefused) {
  // Swap the payload for one naming another expiry, keeping the signature.
  size_t dot = token_.rfind('.');
  std::string payload;
  ASSERT_TRUE(server::FromBase64Url(token_.substr(3, dot - 3), payload));
  json p = json::parse(payload);
  p["exp"] = p["exp"].get<int64_t>() + 1'000'000;
  std::string forged = "qs." + server::Base64Url(p.dump()) + token_.substr(dot);
  EXPECT_EQ(client_->Get("/api/model", forged).status, 401);
  EXPECT_EQ(client_->Get("/api/model", token_).status, 200);
}

TEST_F(ServerAuthTest, ApiTokensWorkUntilRevokedAndAreStoredOnlyAsHashes) {
  HttpReply created = client_->Post("/api/tokens", {{"name", "nightly load"}}, token_);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string api_token = created.Json()["token"], id = created.Json()["id"];
  EXPECT_EQ(client_->Get("/api/cubes", api_token).status, 200);
  HttpReply list = client_->Get("/api/tokens", token_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json()["tokens"].size(), 1u);
  EXPECT_EQ(list.Json()["tokens"][0]["name"], "nightly load");
  EXPECT_FALSE(list.Json()["tokens"][0].contains("token"));
  EXPECT_EQ(SecurityFile().find(api_token.substr(api_token.rfind('.') + 1)), std::string::npos);
  EXPECT_NE(SecurityFile().find(server::TokenHash(api_token)), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir() + "/security/security.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir() + "/security/server.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_NO_FATAL_FAILURE(RestartServer());
  EXPECT_EQ(client_->Get("/api/cubes", api_token).status, 200);
  EXPECT_EQ(client_->Request("DELETE", "/api/tokens/" + id, "", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/cubes", api_token).status, 401);
  EXPECT_EQ(client_->Request("DELETE", "/api/tokens/" + id, "", token_).status, 404);
}

TEST_F(ServerAuthTest, OnlyAdminsManageUsersAndADeletedUserIsLockedOut) {
  HttpReply added = client_->Post(
      "/api/users", {{"name", "bob"}, {"password", "bob-password"}, {"admin", false}}, token_);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(client_->Post("/api/users", {{"name", "BOB"}, {"password", "another-one"}}, token_)
                .ErrorCode(),
            "ALREADY_EXISTS");
  EXPECT_EQ(client_->Post("/api/users", {{"name", "carol"}, {"password", "short"}}, token_).status,
            400);
  std::string bob = Login("bob", "bob-password");
  ASSERT_FALSE(bob.empty());
  EXPECT_EQ(client_->Get("/api/model", bob).status, 200);
  EXPECT_EQ(client_->Get("/api/users", bob).status, 403);
  EXPECT_EQ(
      client_->Post("/api/users", {{"name", "eve"}, {"password", "eve-password"}}, bob).ErrorCode(),
      "FORBIDDEN");
  // Bob sees his own tokens only; an admin sees every token.
  HttpReply bobs = client_->Post("/api/tokens", {{"name", "bob's"}}, bob);
  ASSERT_EQ(bobs.status, 201);
  ASSERT_EQ(client_->Post("/api/tokens", {{"name", "admin's"}}, token_).status, 201);
  EXPECT_EQ(client_->Get("/api/tokens", bob).Json()["tokens"].size(), 1u);
  EXPECT_EQ(client_->Get("/api/tokens", token_).Json()["tokens"].size(), 2u);
  std::string bob_api = bobs.Json()["token"];
  EXPECT_EQ(client_->Request("DELETE", "/api/users/bob", "", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/model", bob).status, 401);
  EXPECT_EQ(client_->Get("/api/model", bob_api).status, 401);
  EXPECT_EQ(client_->Get("/api/tokens", token_).Json()["tokens"].size(), 1u);
  // A new bob does not inherit the old one's sessions.
  ASSERT_EQ(
      client_->Post("/api/users", {{"name", "bob"}, {"password", "bob-password"}}, token_).status,
      201);
  EXPECT_EQ(client_->Get("/api/model", bob).status, 401);
  EXPECT_FALSE(Login("bob", "bob-password").empty());
}

TEST_F(ServerAuthTest, FailedLoginsAreRateLimitedPerUser) {
  for (int i = 0; i < 3; ++i) {
    HttpReply r = client_->Post("/api/login", {{"user", kAdmin}, {"password", "wrong"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.ErrorCode(), "BAD_CREDENTIALS");
  }
  // Now even the right password waits.
  HttpReply limited = client_->Post("/api/login", {{"user", kAdmin}, {"password", kAdminPassword}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.ErrorCode(), "TOO_MANY_ATTEMPTS");
  EXPECT_EQ(limited.headers["retry-after"], "600");
  EXPECT_EQ(Login("ADMIN", kAdminPassword), "");  // the same user, whatever the case
  // Sessions already given out keep working.
  EXPECT_EQ(client_->Get("/api/model", token_).status, 200);
  now_s_ += 601;
  EXPECT_NE(Login(kAdmin, kAdminPassword), "");
}

TEST_F(ServerAuthTest, FailedLoginsAreRateLimitedPerAddress) {
  // Unknown users count against the address like known ones.
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(
        client_->Post("/api/login", {{"user", "u" + std::to_string(i)}, {"password", "x"}}).status,
        401);
  EXPECT_EQ(client_->Post("/api/login", {{"user", kAdmin}, {"password", kAdminPassword}}).status,
            429);
  now_s_ += 601;
  EXPECT_NE(Login(kAdmin, kAdminPassword), "");
}

TEST_F(ServerAuthTest, LoginRequestsAreChecked) {
  EXPECT_EQ(client_->Request("POST", "/api/login", "{", "").ErrorCode(), "MALFORMED_JSON");
  EXPECT_EQ(client_->Post("/api/login", {{"user", kAdmin}}).status, 400);
  EXPECT_EQ(client_->Post("/api/login", {{"user", 5}, {"password", "x"}}).ErrorCode(),
            "INVALID_ARGUMENT");
}

TEST_F(ServerAuthTest, TheSecurityStoreIsLockedWhileTheServerRuns) {
  auto second = server::SecurityStore::Open(dir());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  server_.reset();
  EXPECT_TRUE(server::SecurityStore::Open(dir()).ok());
}

TEST_F(ServerAuthTest, StartingWithTheBootstrapAdminAgainKeepsItsPassword) {
  ASSERT_NO_FATAL_FAILURE(RestartServer());  // logs in with kAdminPassword
  auto users = server_->auth().Users();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_TRUE(users[0].admin);
}

}  // namespace
}  // namespace quantatom::testing
