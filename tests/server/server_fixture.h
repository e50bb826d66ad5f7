// A real server on a free loopback port over a fresh data directory with a
// small model, an admin, and an HTTP client; stopped at the end of each test.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>

#include "quantatom/database.h"
#include "server/server.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace quantatom::testing {

using nlohmann::json;

class ServerFixture : public ::testing::Test {
 protected:
  static constexpr char kAdmin[] = "admin";
  static constexpr char kAdminPassword[] = "admin-password";

  void SetUp() override {
    auto db = OpenDatabase();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    CommitContext ctx{"setup", ""};
    // Region: World = East - West; Month: Q1 = Jan + Feb. Aliases "E", "Ost".
    ASSERT_TRUE(db_->CreateDimension("Region",
                                     "member,parent,weight,alias\nWorld,,,\nEast,World,1,E\n"
                                     "West,World,-1,\n",
                                     ctx)
                    .ok());
    ASSERT_TRUE(
        db_->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx)
            .ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region", "Month"}, ctx).ok());
    WriteBatch b;
    b.Set(Cell("East", "Jan"), 10);
    b.Set(Cell("West", "Jan"), 4);
    ASSERT_TRUE(db_->Write("Sales", b, ctx).ok());
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  void TearDown() override {
    server_.reset();
    db_.reset();
  }

  // The database served; a test may put it on a FaultEnv.
  virtual Result<std::unique_ptr<Database>> OpenDatabase() { return Database::Open(dir()); }

  // Options the tests change before StartServer (cheap Argon2id, a clock).
  virtual void Configure(server::ServerOptions& o) {}

  void StartServer() {
    server::ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.auth.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.auth.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    o.auth.now_s = [this] { return now_s_.load(); };
    o.bootstrap_admin_user = kAdmin;
    o.bootstrap_admin_password = kAdminPassword;
    Configure(o);
    auto server = server::Server::Start(*db_, dir(), o);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    client_ = std::make_unique<HttpClient>(server_->port(), tls_ca_file_);
    token_ = Login(kAdmin, kAdminPassword);
    ASSERT_FALSE(token_.empty());
  }

  void RestartServer() {
    server_.reset();
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  std::string Login(const std::string& user, const std::string& password) {
    HttpReply r = client_->Post("/api/login", {{"user", user}, {"password", password}});
    return r.status == 200 ? r.Json().value("token", "") : "";
  }

  Coordinate Cell(const std::string& region, const std::string& month) {
    return {*db_->FindDimension("Region")->Find(region), *db_->FindDimension("Month")->Find(month)};
  }
  std::optional<double> Read(const std::string& region, const std::string& month) {
    return *db_->FindCube("Sales")->ReadCell(Cell(region, month));
  }
  static json CellJson(const std::string& region, const std::string& month, json value) {
    return {{"members", {region, month}}, {"value", value}};
  }
  HttpReply WriteCells(json body) { return client_->Post("/api/cubes/Sales/cells", body, token_); }

  std::string dir() const { return temp_.path().string(); }
  uint16_t port() const { return server_->port(); }

  ScopedTempDir temp_{"qa_server"};
  std::atomic<int64_t> now_s_{1'800'000'000};
  std::unique_ptr<Database> db_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
  std::string tls_ca_file_;  // set by a test serving HTTPS: client_ trusts this
};

// "/api/cubes/{cube}/view" -> "/api/cubes/Sales/view"
inline std::string Concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t close = pattern.find('}', i);
    std::string name = pattern.substr(i + 1, close - i - 1);
    out += name == "cube" ? "Sales" : name == "dim" ? "Region" : "x";
    i = close;
  }
  return out;
}

}  // namespace quantatom::testing
