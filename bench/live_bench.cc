#include "live_bench.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "quantatom/database.h"
#include "server/beast.h"
#include "server/server.h"
#include "timing.h"

namespace quantatom::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using nlohmann::json;

// A client subscribed to the cube: the arrival time of each change, by
// sequence. Reads on the clients' I/O thread.
struct LiveClient {
  explicit LiveClient(net::io_context& ioc) : ws(ioc) {}
  void Read() {
    ws.async_read(buffer, [this](beast::error_code ec, size_t) {
      if (ec) return;
      const Clock::time_point at = Clock::now();
      json m = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      buffer.consume(buffer.size());
      if (m.is_object() && m.value("type", "") == "change") {
        arrivals[m["sequence"]] = at;
        ++changes;
      }
      Read();
    });
  }
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::map<uint64_t, Clock::time_point> arrivals;  // read once the I/O thread stopped
  std::atomic<size_t> changes{0};
};

Status Connect(LiveClient& c, uint16_t port, const std::string& token, const std::string& cube) {
  beast::error_code ec;
  beast::get_lowest_layer(c.ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                        ec);
  if (ec) return Status::Io("connect: " + ec.message());
  c.ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
    req.set(http::field::authorization, "Bearer " + token);
  }));
  c.ws.handshake("127.0.0.1", "/api/live", ec);
  if (ec) return Status::Io("WebSocket handshake: " + ec.message());
  c.ws.write(net::buffer(json{{"op", "subscribe"}, {"cube", cube}}.dump()), ec);
  if (!ec) c.ws.read(c.buffer, ec);
  if (ec) return Status::Io("subscribe: " + ec.message());
  json ack = json::parse(beast::buffers_to_string(c.buffer.data()), nullptr, false);
  c.buffer.consume(c.buffer.size());
  if (!ack.is_object() || ack.value("type", "") != "subscribed")
    return Status::Invalid("subscribe refused: " + ack.dump());
  return Status::Ok();
}

// One keep-alive connection writing one cell; returns the sequence.
class Writer {
 public:
  Writer(uint16_t port, std::string token, std::string cube, json members)
      : stream_(ioc_), token_(std::move(token)), cube_(std::move(cube)), members_(members) {
    beast::error_code ec;
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  }
  Result<uint64_t> Write(double value) {
    http::request<http::string_body> req(http::verb::post, "/api/cubes/" + cube_ + "/cells", 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token_);
    req.set(http::field::content_type, "application/json");
    req.body() = json{{"cells", {{{"members", members_}, {"value", value}}}}}.dump();
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    http::write(stream_, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(stream_, buffer_, res, ec);
    if (ec) return Status::Io("write request: " + ec.message());
    json body = json::parse(res.body(), nullptr, false);
    if (res.result_int() != 200 || !body.contains("sequence"))
      return Status::Invalid("write refused: " + res.body());
    return body["sequence"].get<uint64_t>();
  }

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string token_, cube_;
  json members_;
};

// A scratch data directory with a small model and a server over it.
struct LocalServer {
  std::filesystem::path dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<server::Server> server;
  std::string token;
  ~LocalServer() {
    server.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

Result<std::unique_ptr<LocalServer>> StartLocalServer(int clients) {
  auto local = std::make_unique<LocalServer>();
  local->dir =
      std::filesystem::temp_directory_path() / ("qa_live_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(local->dir);
  QA_ASSIGN_OR_RETURN(local->db, Database::Open(local->dir.string()));
  CommitContext ctx{"bench", ""};
  QA_RETURN_IF_ERROR(local->db
                         ->CreateDimension("Region",
                                           "member,parent,weight\nWorld,,\nEast,World,1\n"
                                           "West,World,1\n",
                                           ctx)
                         .status());
  QA_RETURN_IF_ERROR(
      local->db->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx)
          .status());
  QA_RETURN_IF_ERROR(local->db->CreateCube("Sales", {"Region", "Month"}, ctx).status());
  server::ServerOptions o;
  o.port = 0;
  o.bootstrap_admin_user = "bench";
  o.bootstrap_admin_password = "bench-password";
  o.limits.live_connections_max = static_cast<size_t>(clients) + 10;
  QA_ASSIGN_OR_RETURN(local->server, server::Server::Start(*local->db, local->dir.string(), o));
  QA_ASSIGN_OR_RETURN(auto made, local->server->auth().CreateApiToken("bench", "live bench"));
  local->token = made.second;
  return local;
}

json Members(const std::string& cell) {
  json out = json::array();
  for (size_t start = 0;;) {
    size_t comma = cell.find(',', start);
    out.push_back(cell.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

json Summary(const std::vector<double>& ms) {
  return {{"p50_ms", Percentile(ms, 0.5)},
          {"p99_ms", Percentile(ms, 0.99)},
          {"max_ms", ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end())}};
}

}  // namespace

Result<nlohmann::ordered_json> RunLiveBench(const LiveBenchOptions& o) {
  if (o.clients < 1 || o.writes < 1 || o.writes_per_s <= 0)
    return Status::Invalid("clients, writes and the rate must be positive");
  std::unique_ptr<LocalServer> local;
  uint16_t port = o.port;
  std::string token = o.token, cube = o.cube, cell = o.cell;
  if (port == 0) {
    QA_ASSIGN_OR_RETURN(local, StartLocalServer(o.clients));
    port = local->server->port();
    token = local->token;
    cube = "Sales";
    cell = "East,Jan";
  }
  net::io_context ioc;
  std::vector<std::unique_ptr<LiveClient>> clients;
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_unique<LiveClient>(ioc));
    QA_RETURN_IF_ERROR(Connect(*clients.back(), port, token, cube));
    clients.back()->Read();
  }
  std::thread io([&ioc] { ioc.run(); });

  Writer writer(port, token, cube, Members(cell));
  std::map<uint64_t, Clock::time_point> sent;
  std::vector<double> write_ms;
  const auto period = std::chrono::duration<double>(1.0 / o.writes_per_s);
  const Clock::time_point start = Clock::now();
  Status failed;
  for (int i = 0; i < o.writes && failed.ok(); ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * i));
    const Clock::time_point before = Clock::now();
    Result<uint64_t> sequence = writer.Write(i + 1);
    if (!sequence.ok())
      failed = sequence.status();
    else
      sent[*sequence] = before;
    write_ms.push_back(MsSince(before));
  }
  // The last pushes are on their way: a bounded wait for them.
  const Clock::time_point drain_until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    bool all = true;
    for (auto& c : clients) all = all && c->changes.load() >= sent.size();
    if (all) break;
  }
  ioc.stop();
  io.join();
  QA_RETURN_IF_ERROR(failed);

  std::vector<double> latency_ms;
  size_t received = 0;
  for (const auto& c : clients)
    for (const auto& [sequence, at] : c->arrivals) {
      auto it = sent.find(sequence);
      if (it == sent.end()) continue;
      ++received;
      latency_ms.push_back(std::chrono::duration<double, std::milli>(at - it->second).count());
    }
  nlohmann::ordered_json out;
  out["clients"] = o.clients;
  out["writes"] = sent.size();
  out["writes_per_s"] = o.writes_per_s;
  out["pushes_expected"] = sent.size() * clients.size();
  out["pushes_received"] = received;
  out["write_to_client"] = Summary(latency_ms);
  out["write_round_trip"] = Summary(write_ms);
  return out;
}

}  // namespace quantatom::bench
