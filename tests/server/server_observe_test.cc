// What operators watch: /healthz and /readyz, Prometheus metrics at
// /metrics (behind a token), X-Request-Id and W3C traceparent on every
// answer and in the JSON log.
#include <fstream>
#include <regex>
#include <thread>

#include "env/fault_env.h"
#include "server/request_trace.h"
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

using server::ParseTraceParent;

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParentId[] = "00f067aa0ba902b7";

bool IsHex(const std::string& s, size_t size) {
  return s.size() == size && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The value of an exposition line "name{labels} value", or -1 when absent.
double Sample(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

TEST(ServerTraceParent, ParsesVersion00AndRefusesMalformedOnes) {
  auto ok = ParseTraceParent(std::string("00-") + kTraceId + "-" + kParentId + "-01");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->trace_id, kTraceId);
  EXPECT_EQ(ok->parent_id, kParentId);
  EXPECT_EQ(ok->flags, 1);
  const std::string trace = kTraceId, parent = kParentId;
  for (const std::string& bad : {
           "00-" + std::string(32, '0') + "-" + parent + "-01",      // zero trace id
           "00-" + trace + "-" + std::string(16, '0') + "-01",       // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + parent + "-01",  // upper case
           "00-" + trace + "-" + parent + "-1",                      // short flags
           "00-" + trace + "-" + parent + "-01-extra",               // 00 has 4 fields
           "ff-" + trace + "-" + parent + "-01",                     // forbidden version
           "0x-" + trace + "-" + parent + "-01",                     // not hex
           "00_" + trace + "-" + parent + "-01",                     // separator
           "00-" + trace.substr(1) + "-" + parent + "-01",           // short trace id
           std::string(),
       })
    EXPECT_FALSE(ParseTraceParent(bad)) << bad;
  // A later version is read by its first four fields.
  EXPECT_TRUE(ParseTraceParent("01-" + trace + "-" + parent + "-00-what-comes-next"));
  EXPECT_FALSE(ParseTraceParent("01-" + trace + "-" + parent + "-00what"));
}

TEST(ServerRequestId, KeepsSaneIdsOnly) {
  EXPECT_TRUE(server::IsSaneRequestId("req-42_a.b:c/d+e="));
  EXPECT_TRUE(server::IsSaneRequestId(std::string(128, 'a')));
  EXPECT_FALSE(server::IsSaneRequestId(std::string(129, 'a')));
  EXPECT_FALSE(server::IsSaneRequestId(""));
  EXPECT_FALSE(server::IsSaneRequestId("two words"));
  EXPECT_FALSE(server::IsSaneRequestId("quote\"d"));
  EXPECT_FALSE(server::IsSaneRequestId("new\nline"));
}

class ServerObserveTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    auto log = server::JsonLog::Open(LogPath());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    o.log = std::move(*log);
    o.access_log = true;
  }
  std::string LogPath() const { return dir() + "/server.log"; }
  std::vector<json> LogLines() const {
    std::vector<json> out;
    std::ifstream in(LogPath());
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  std::string Metrics() {
    HttpReply r = client_->Get("/metrics", token_);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }
};

TEST_F(ServerObserveTest, HealthAndReadinessNeedNoToken) {
  HttpReply health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Json()["status"], "ok");
  HttpReply ready = client_->Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.Json()["status"], "ready");
  EXPECT_EQ(ready.Json()["last_sequence"], db_->last_sequence());
}

TEST_F(ServerObserveTest, MetricsNeedAnAdminsToken) {
  HttpReply anonymous = client_->Get("/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.ErrorCode(), "UNAUTHENTICATED");
  HttpReply forged = client_->Get("/metrics", "qt.forged.token");
  EXPECT_EQ(forged.status, 401);
  // An API token, as Prometheus would carry it.
  HttpReply created = client_->Post("/api/tokens", {{"name", "prometheus"}}, token_);
  ASSERT_EQ(created.status, 201) << created.body;
  HttpReply scraped = client_->Get("/metrics", created.Json()["token"]);
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("# TYPE quantatom_http_requests_total counter"), std::string::npos);
  // Not for other users: the metrics name every cube and count its atoms.
  ASSERT_EQ(
      client_->Post("/api/users", {{"name", "bob"}, {"password", "password-bob"}}, token_).status,
      201);
  HttpReply bob = client_->Get("/metrics", Login("bob", "password-bob"));
  EXPECT_EQ(bob.status, 403);
  EXPECT_EQ(bob.body.find("quantatom_cube_atoms"), std::string::npos);
}

TEST_F(ServerObserveTest, RequestsAreCountedByRoutePatternNeverByRawPath) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client_->Get("/api/cubes/Sales", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/cubes/Nope", token_).status, 404);
  EXPECT_EQ(client_->Get("/no/such/path/x1", token_).status, 404);
  EXPECT_EQ(client_->Get("/no/such/path/x2", token_).status, 404);
  EXPECT_EQ(client_->Request("BREW", "/healthz").status, 405);
  std::string m = Metrics();
  EXPECT_EQ(
      Sample(
          m,
          R"(quantatom_http_requests_total{method="GET",route="/api/cubes/{cube}",status_class="2xx"})"),
      3);
  EXPECT_EQ(
      Sample(
          m,
          R"(quantatom_http_requests_total{method="GET",route="/api/cubes/{cube}",status_class="4xx"})"),
      1);
  EXPECT_EQ(
      Sample(m,
             R"(quantatom_http_requests_total{method="GET",route="unmatched",status_class="4xx"})"),
      2);
  EXPECT_EQ(
      Sample(
          m,
          R"(quantatom_http_requests_total{method="OTHER",route="unmatched",status_class="4xx"})"),
      1);
  EXPECT_EQ(m.find("Nope"), std::string::npos) << "a raw path in a label";
  EXPECT_EQ(m.find("x1"), std::string::npos);
  // The latency histogram: every bucket from 0.1 ms to 10 s, and the count.
  const std::string h = "quantatom_http_request_duration_seconds";
  const std::string labels = R"(method="GET",route="/api/cubes/{cube}",status_class="2xx")";
  EXPECT_EQ(Sample(m, h + "_count{" + labels + "}"), 3);
  EXPECT_EQ(Sample(m, h + "_bucket{" + labels + ",le=\"+Inf\"}"), 3);
  EXPECT_GE(Sample(m, h + "_bucket{" + labels + ",le=\"10\"}"), 3);
  EXPECT_GE(Sample(m, h + "_bucket{" + labels + ",le=\"0.0001\"}"), 0);
  EXPECT_GT(Sample(m, h + "_sum{" + labels + "}"), 0);
}

class ServerRefusedMetricsTest : public ServerObserveTest {
 protected:
  void Configure(server::ServerOptions& o) override {
    ServerObserveTest::Configure(o);
    o.http.connections_max = 4;
    o.http.body_bytes_max = 1024;
  }
};

TEST_F(ServerRefusedMetricsTest, RequestsRefusedBeforeRoutingAreCountedToo) {
  auto status_of = [](const std::string& answer) { return answer.substr(0, 12); };
  EXPECT_EQ(status_of(RawExchange(port(), "NOT HTTP AT ALL\r\n\r\n")), "HTTP/1.1 400");
  EXPECT_EQ(status_of(RawExchange(port(),
                                  "POST /api/login HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Length: 5000\r\n\r\n")),
            "HTTP/1.1 413");
  EXPECT_EQ(status_of(RawExchange(
                port(), "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'x') + "\r\n\r\n")),
            "HTTP/1.1 431");
  {
    std::vector<std::unique_ptr<HttpClient>> held;
    for (int i = 0; i < 3; ++i) {  // the fixture's client holds the 4th
      held.push_back(std::make_unique<HttpClient>(port()));
      ASSERT_EQ(held.back()->Get("/healthz").status, 200);
    }
    EXPECT_EQ(status_of(RawExchange(port(), "GET /healthz HTTP/1.1\r\n\r\n")), "HTTP/1.1 503");
  }
  std::string m;
  for (int i = 0; i < 50; ++i) {  // the held connections close asynchronously
    HttpReply r = client_->Get("/metrics", token_);
    if (r.status == 200) {
      m = r.body;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto refused = [&](const std::string& method, const std::string& status_class) {
    return Sample(m, "quantatom_http_requests_total{method=\"" + method +
                         "\",route=\"refused\",status_class=\"" + status_class + "\"}");
  };
  EXPECT_EQ(refused("OTHER", "4xx"), 2) << m;  // 400 and 431: no header read whole
  EXPECT_EQ(refused("POST", "4xx"), 1) << m;   // the body too large: its header was read
  EXPECT_EQ(refused("OTHER", "5xx"), 1) << m;  // too many connections: nothing read
}

TEST_F(ServerObserveTest, GaugesDescribeTheDatabaseWhenScraped) {
  std::string m = Metrics();
  EXPECT_EQ(Sample(m, R"(quantatom_cube_atoms{cube="Sales"})"), 2);
  EXPECT_EQ(Sample(m, "quantatom_last_sequence"), static_cast<double>(db_->last_sequence()));
  EXPECT_EQ(Sample(m, "quantatom_log_transactions_since_snapshot"),
            static_cast<double>(db_->last_sequence()));
  EXPECT_GT(Sample(m, "quantatom_log_bytes_since_snapshot"), 0);
  EXPECT_EQ(Sample(m, "quantatom_snapshot_age_seconds"), -1) << "no snapshot yet";
  EXPECT_EQ(Sample(m, "quantatom_writes_refused"), 0);
  EXPECT_GE(Sample(m, "quantatom_http_connections_open"), 1);

  ASSERT_EQ(WriteCells({{"cells", {CellJson("East", "Feb", 1)}}}).status, 200);
  ASSERT_TRUE(db_->Snapshot().ok());
  ASSERT_EQ(WriteCells({{"cells", {CellJson("West", "Feb", 1)}}}).status, 200);
  m = Metrics();
  EXPECT_EQ(Sample(m, R"(quantatom_cube_atoms{cube="Sales"})"), 4);
  EXPECT_EQ(Sample(m, "quantatom_log_transactions_since_snapshot"), 1);
  double age = Sample(m, "quantatom_snapshot_age_seconds");
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 60);
}

TEST_F(ServerObserveTest, RequestIdIsKeptWhenSaneAndMadeOtherwise) {
  HttpReply kept = client_->Request("GET", "/healthz", "", "", {{"X-Request-Id", "job-7.step-3"}});
  EXPECT_EQ(kept.headers["x-request-id"], "job-7.step-3");
  HttpReply made = client_->Get("/healthz");
  HttpReply again = client_->Get("/healthz");
  EXPECT_TRUE(IsHex(made.headers["x-request-id"], 32)) << made.headers["x-request-id"];
  EXPECT_NE(made.headers["x-request-id"], again.headers["x-request-id"]);
  for (const std::string& bad : {std::string(200, 'a'), std::string("a b"), std::string("a\"b")}) {
    HttpReply replaced = client_->Request("GET", "/healthz", "", "", {{"X-Request-Id", bad}});
    EXPECT_EQ(replaced.status, 200);
    EXPECT_TRUE(IsHex(replaced.headers["x-request-id"], 32)) << bad;
  }
  // Errors carry it too.
  HttpReply error = client_->Request("GET", "/api/nothing", "", token_, {{"X-Request-Id", "e-1"}});
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.headers["x-request-id"], "e-1");
}

TEST_F(ServerObserveTest, TraceParentContinuesTheCallersTraceWithANewSpan) {
  const std::string sent = std::string("00-") + kTraceId + "-" + kParentId + "-01";
  HttpReply r = client_->Request("GET", "/api/cubes", "", token_, {{"traceparent", sent}});
  EXPECT_EQ(r.status, 200);
  auto answered = ParseTraceParent(r.headers["traceparent"]);
  ASSERT_TRUE(answered) << r.headers["traceparent"];
  EXPECT_EQ(answered->trace_id, kTraceId);
  EXPECT_NE(answered->parent_id, kParentId);
  EXPECT_EQ(answered->flags, 1);
  // Invalid: a new trace, never an error.
  HttpReply fresh =
      client_->Request("GET", "/api/cubes", "", token_,
                       {{"traceparent", "00-" + std::string(32, '0') + "-" + kParentId + "-01"}});
  EXPECT_EQ(fresh.status, 200);
  auto started = ParseTraceParent(fresh.headers["traceparent"]);
  ASSERT_TRUE(started) << fresh.headers["traceparent"];
  EXPECT_NE(started->trace_id, kTraceId);
  EXPECT_EQ(started->flags, 0);
}

TEST_F(ServerObserveTest, LogLineCarriesRequestIdAndTrace) {
  const std::string sent = std::string("00-") + kTraceId + "-" + kParentId + "-01";
  HttpReply r = client_->Request("POST", "/api/cubes/Sales/view",
                                 R"({"rows": {"dimension": "Region", "members": ["East"]},
                                     "columns": {"dimension": "Month", "members": ["Jan"]}})",
                                 token_, {{"X-Request-Id", "grid-1"}, {"traceparent", sent}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::string span = ParseTraceParent(r.headers["traceparent"])->parent_id;
  std::vector<json> lines = LogLines();
  auto it = std::find_if(lines.begin(), lines.end(),
                         [](const json& l) { return l.value("request_id", "") == "grid-1"; });
  ASSERT_NE(it, lines.end());
  const json& line = *it;
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg"], "request");
  EXPECT_TRUE(std::regex_match(line["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["ts"];
  EXPECT_EQ(line["trace_id"], kTraceId);
  EXPECT_EQ(line["parent_id"], kParentId);
  EXPECT_EQ(line["span_id"], span);
  EXPECT_EQ(line["method"], "POST");
  EXPECT_EQ(line["route"], "/api/cubes/{cube}/view");
  EXPECT_EQ(line["path"], "/api/cubes/Sales/view");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["user"], kAdmin);
  EXPECT_TRUE(line["duration_ms"].is_number());
  // Without a traceparent the line names the trace the server started.
  HttpReply own = client_->Request("GET", "/healthz", "", "", {{"X-Request-Id", "h-1"}});
  lines = LogLines();
  it = std::find_if(lines.begin(), lines.end(),
                    [](const json& l) { return l.value("request_id", "") == "h-1"; });
  ASSERT_NE(it, lines.end());
  EXPECT_EQ((*it)["trace_id"], ParseTraceParent(own.headers["traceparent"])->trace_id);
  EXPECT_FALSE(it->contains("parent_id"));
}

// A failed fsync: the write's outcome is unknown and the database refuses
// writes, so the server is alive but not ready until it restarts.
class ServerReadinessTest : public ServerObserveTest {
 protected:
  Result<std::unique_ptr<Database>> OpenDatabase() override {
    std::filesystem::create_directories(dir());  // for the security store and the log file
    DatabaseOptions options;
    options.env = &env_;
    return Database::Open("/db", options);
  }
  FaultEnv env_;
};

TEST_F(ServerReadinessTest, ReadyzIs503WhileTheLogRefusesWrites) {
  ASSERT_EQ(client_->Get("/readyz").status, 200);
  env_.InjectFault(FaultEnv::Operation::kSync, 1, FaultEnv::FaultKind::kIoError);
  HttpReply unknown = WriteCells({{"cells", {CellJson("East", "Feb", 1)}}});
  EXPECT_EQ(unknown.status, 503);
  EXPECT_EQ(unknown.ErrorCode(), "UNKNOWN_OUTCOME");
  HttpReply ready = client_->Get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.ErrorCode(), "NOT_READY");
  EXPECT_NE(ready.Json()["error"]["message"].get<std::string>().find("failed fsync"),
            std::string::npos)
      << ready.body;
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  EXPECT_EQ(Sample(Metrics(), "quantatom_writes_refused"), 1);
  // The 5xx answers are error lines with the error in them.
  std::vector<std::string> errors;
  for (const json& line : LogLines())
    if (line["level"] == "error")
      errors.push_back(line.value("route", "") + " " + line["error"].get<std::string>());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("/api/cubes/{cube}/cells {\"code\":\"UNKNOWN_OUTCOME\""),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("/readyz {\"code\":\"NOT_READY\""), std::string::npos) << errors[1];
}

}  // namespace
}  // namespace quantatom::testing
