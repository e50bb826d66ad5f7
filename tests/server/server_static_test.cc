// The web app's build served at "/": files with their types and cache
// headers, index.html for client routes, nothing outside the directory,
// and /api paths still the API's.
#include <fstream>

#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerStaticTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    std::filesystem::create_directories(root() / "assets");
    Write("index.html", "<!doctype html><title>app</title>");
    Write("assets/app-1a2b.js", "console.log(1)");
    Write("favicon.svg", "<svg/>");
    // A secret beside the web directory, which a traversal would reach.
    std::ofstream(web_.path() / "secret.txt") << "the secret content";
    o.web_dir = root().string();
  }
  std::filesystem::path root() const { return web_.path() / "dist"; }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root() / name) << text;
  }
  ScopedTempDir web_{"qa_web"};
};

TEST_F(ServerStaticTest, ServesFilesWithTypesAndCacheHeadersWithoutAToken) {
  HttpReply index = client_->Get("/");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.body, "<!doctype html><title>app</title>");
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(index.headers["cache-control"], "no-cache");
  EXPECT_NE(index.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);

  HttpReply script = client_->Get("/assets/app-1a2b.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(script.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(script.headers["cache-control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(client_->Get("/favicon.svg").headers["content-type"], "image/svg+xml");
}

TEST_F(ServerStaticTest, ClientRoutesGetIndexButMissingAssetsAre404) {
  HttpReply route = client_->Get("/cubes/Finance?view=x");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, "<!doctype html><title>app</title>");
  EXPECT_EQ(client_->Get("/assets/gone-9z9z.js").status, 404);
}

TEST_F(ServerStaticTest, NothingOutsideTheDirectoryIsServed) {
  for (const std::string path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/a%00b"}) {
    HttpReply r = client_->Get(path);
    EXPECT_EQ(r.body.find("the secret content"), std::string::npos) << path << ": " << r.body;
    EXPECT_EQ(r.status, 404) << path;
  }
  std::filesystem::create_symlink(web_.path() / "secret.txt", root() / "link.txt");
  HttpReply link = client_->Get("/link.txt");
  EXPECT_EQ(link.status, 404);
  EXPECT_EQ(link.body.find("the secret content"), std::string::npos);
}

TEST_F(ServerStaticTest, ApiPathsStayTheApis) {
  EXPECT_EQ(client_->Get("/api/nope").ErrorCode(), "NO_ROUTE");
  EXPECT_EQ(client_->Get("/api").ErrorCode(), "NO_ROUTE");
  EXPECT_EQ(client_->Get("/api/model").status, 401);
  EXPECT_EQ(client_->Post("/somewhere", json::object()).ErrorCode(), "NO_ROUTE");
}

TEST_F(ServerStaticTest, ADirectoryWithoutIndexRefusesToStart) {
  server::ServerOptions o;
  o.port = 0;
  o.web_dir = dir();  // the data directory: no index.html
  server_.reset();
  auto refused = server::Server::Start(*db_, dir(), o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("index.html"), std::string::npos);
}

}  // namespace
}  // namespace quantatom::testing
