// HTTPS: with a certificate and key the listener speaks TLS only; files it
// cannot use stop the server from starting, naming them.
#include "server_fixture.h"
#include "support/shell.h"

namespace quantatom::testing {
namespace {

// A self-signed certificate for 127.0.0.1 (its own CA) made by the openssl
// command, with its key.
void MakeCertificate(const std::string& dir, const std::string& name) {
  ShellOutput made = Shell(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
      "-keyout " +
      dir + "/" + name + ".key -out " + dir + "/" + name + ".crt");
  ASSERT_EQ(made.code, 0) << made.text;
}

class ServerTlsTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir(), "server"));
    o.tls = {dir() + "/server.crt", dir() + "/server.key"};
    tls_ca_file_ = o.tls.cert_file;
  }
  // Options as the fixture makes them, over the fixture's directory.
  Status StartWith(const server::TlsOptions& tls) {
    server_.reset();
    server::ServerOptions o;
    o.port = 0;
    o.tls = tls;
    return server::Server::Start(*db_, dir(), o).status();
  }
};

TEST_F(ServerTlsTest, ServesHttpsToAClientThatTrustsTheCertificate) {
  // The fixture logged in over TLS already.
  HttpReply cubes = client_->Get("/api/cubes", token_);
  EXPECT_EQ(cubes.status, 200) << cubes.body;
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  HttpReply big =
      client_->Request("POST", "/api/cubes/Sales/view",
                       R"json({"rows": {"dimension": "Region", "members": "descendants(World)"},
                                           "columns": {"dimension": "Month", "members": "Q1"}})json",
                       token_);
  EXPECT_EQ(big.status, 200) << big.body;
  EXPECT_EQ(client_->connects(), 1);
}

TEST_F(ServerTlsTest, PlainHttpGetsNoAnswer) {
  std::string raw = RawExchange(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.find("HTTP/1.1"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("ok"), std::string::npos) << raw;
  EXPECT_EQ(HttpClient(port()).Get("/healthz").status, 0);
  EXPECT_EQ(client_->Get("/healthz").status, 200);  // and HTTPS goes on
}

TEST_F(ServerTlsTest, ClientThatDoesNotTrustTheCertificateGetsNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir(), "stranger"));
  HttpClient wary(port(), dir() + "/stranger.crt");
  EXPECT_EQ(wary.Get("/healthz").status, 0);
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(ServerTlsTest, UnusableFilesStopTheServerFromStarting) {
  const std::string cert = dir() + "/server.crt", key = dir() + "/server.key";
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir(), "other"));
  Status missing = StartWith({dir() + "/missing.crt", key});
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("missing.crt"), std::string::npos) << missing.ToString();
  Status mismatched = StartWith({cert, dir() + "/other.key"});
  EXPECT_NE(mismatched.message().find("does not match"), std::string::npos)
      << mismatched.ToString();
  Status not_a_key = StartWith({cert, cert});
  EXPECT_NE(not_a_key.message().find("TLS key"), std::string::npos) << not_a_key.ToString();
  Status half = StartWith({cert, ""});
  EXPECT_NE(half.message().find("--tls-key"), std::string::npos) << half.ToString();
  EXPECT_TRUE(StartWith({cert, key}).ok());
}

}  // namespace
}  // namespace quantatom::testing
