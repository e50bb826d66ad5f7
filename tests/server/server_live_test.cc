// Live updates over WebSocket (GET /api/live): a subscribed client receives
// every committed change on its cube with its sequence, only the deltas it
// may read, a reload notice for loads whose deltas are not kept, and is cut
// off when its token goes; bad requests are answered, not fatal.
#include <fstream>

#include "server_fixture.h"
#include "support/ws_client.h"

namespace quantatom::testing {
namespace {

class ServerLiveTest : public ServerFixture {
 protected:
  std::unique_ptr<WsClient> Live(const std::string& token) {
    auto ws = std::make_unique<WsClient>(port(), "/api/live", token);
    EXPECT_TRUE(ws->open()) << ws->upgrade_status();
    return ws;
  }
  // Subscribes and waits for the acknowledgement; returns its sequence.
  uint64_t Subscribe(WsClient& ws, json request = {{"op", "subscribe"}, {"cube", "Sales"}}) {
    ws.Send(request);
    std::optional<json> ack = ws.Receive();
    EXPECT_TRUE(ack && (*ack)["type"] == "subscribed") << (ack ? ack->dump() : "nothing");
    return ack ? ack->value("sequence", uint64_t{0}) : 0;
  }
  // A vector, not a json: `json x = {one_json}` copies under clang but
  // makes a one-element array under gcc.
  uint64_t Write(const std::string& token, std::vector<json> cells) {
    HttpReply r = client_->Post("/api/cubes/Sales/cells", {{"cells", json(cells)}}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("sequence", uint64_t{0});
  }
  // A user holding one role whose default on Sales is NONE, with READ on
  // one Region member (and every month): NONE on the other regions.
  std::string ReaderOf(const std::string& user, const std::string& region) {
    const std::string role = "read_" + region;
    EXPECT_EQ(client_->Post("/api/roles", {{"name", role}}, token_).status, 201);
    json grant = {{"access", "NONE"},
                  {"grants",
                   {{{"dimension", "Region"}, {"member", region}, {"access", "READ"}},
                    {{"dimension", "Month"}, {"member", "Q1"}, {"access", "READ"}}}}};
    EXPECT_EQ(
        client_->Request("PUT", "/api/roles/" + role + "/cubes/Sales", grant.dump(), token_).status,
        200);
    EXPECT_EQ(
        client_->Post("/api/users", {{"name", user}, {"password", "password-" + user}}, token_)
            .status,
        201);
    EXPECT_EQ(client_->Post("/api/users/" + user + "/roles", {{"role", role}}, token_).status, 200);
    return Login(user, "password-" + user);
  }
  static std::vector<std::string> DeltaCells(const json& change) {
    std::vector<std::string> out;
    for (const json& d : change["deltas"])
      out.push_back(d["cell"][0].get<std::string>() + "," + d["cell"][1].get<std::string>());
    return out;
  }
};

TEST_F(ServerLiveTest, SubscriberReceivesEachCommittedChangeWithItsSequence) {
  auto ws = Live(token_);
  EXPECT_EQ(Subscribe(*ws), db_->last_sequence());
  uint64_t first = Write(token_, {CellJson("East", "Feb", 7)});
  uint64_t second = Write(token_, {CellJson("West", "Feb", 2), CellJson("East", "Jan", 11)});
  std::optional<json> a = ws->ReceiveType("change");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ((*a)["sequence"], first);
  EXPECT_EQ((*a)["cube"], "Sales");
  EXPECT_EQ((*a)["user"], kAdmin);
  EXPECT_EQ(DeltaCells(*a), (std::vector<std::string>{"East,Feb"}));
  EXPECT_EQ((*a)["deltas"][0]["old_value"], nullptr);
  EXPECT_EQ((*a)["deltas"][0]["new_value"], 7.0);
  std::optional<json> b = ws->ReceiveType("change");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ((*b)["sequence"], second);
  EXPECT_EQ((*b)["deltas"].size(), 2u);
}

TEST_F(ServerLiveTest, AfterReplaysChangesCommittedBeforeTheSubscription) {
  const uint64_t read_at = db_->last_sequence();  // as a grid read would have reported
  uint64_t first = Write(token_, {CellJson("East", "Feb", 1)});
  uint64_t second = Write(token_, {CellJson("West", "Feb", 2)});
  auto ws = Live(token_);
  ws->Send({{"op", "subscribe"}, {"cube", "Sales"}, {"after", read_at}});
  std::vector<uint64_t> replayed;
  for (std::optional<json> m = ws->Receive(); m && (*m)["type"] != "subscribed"; m = ws->Receive())
    replayed.push_back((*m)["sequence"]);
  EXPECT_EQ(replayed, (std::vector<uint64_t>{first, second}));
  // And live from there, with nothing replayed twice.
  uint64_t third = Write(token_, {CellJson("West", "Jan", 3)});
  std::optional<json> next = ws->ReceiveType("change");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ((*next)["sequence"], third);
}

TEST_F(ServerLiveTest, ClientsSeeOnlyTheDeltasTheyMayRead) {
  const std::string bob = ReaderOf("bob", "East");
  const std::string carol = ReaderOf("carol", "West");
  auto bob_ws = Live(bob);
  auto carol_ws = Live(carol);
  Subscribe(*bob_ws);
  Subscribe(*carol_ws);
  uint64_t both = Write(token_, {CellJson("East", "Feb", 5), CellJson("West", "Feb", 6)});
  uint64_t east = Write(token_, {CellJson("East", "Jan", 12)});
  uint64_t west = Write(token_, {CellJson("West", "Jan", 8)});

  std::optional<json> b1 = bob_ws->ReceiveType("change");
  ASSERT_TRUE(b1.has_value());
  EXPECT_EQ((*b1)["sequence"], both);
  EXPECT_EQ(DeltaCells(*b1), (std::vector<std::string>{"East,Feb"}));
  EXPECT_EQ((*b1)["deltas_count"], 1);
  std::optional<json> b2 = bob_ws->ReceiveType("change");
  ASSERT_TRUE(b2.has_value());
  EXPECT_EQ((*b2)["sequence"], east);
  // Nothing of the West-only transaction comes before the next one bob sees.
  Write(token_, {CellJson("East", "Jan", 13)});
  std::optional<json> b3 = bob_ws->ReceiveType("change");
  ASSERT_TRUE(b3.has_value());
  EXPECT_NE((*b3)["sequence"], west);

  std::optional<json> c1 = carol_ws->ReceiveType("change");
  ASSERT_TRUE(c1.has_value());
  EXPECT_EQ(DeltaCells(*c1), (std::vector<std::string>{"West,Feb"}));
  std::optional<json> c2 = carol_ws->ReceiveType("change");  // not the East-only one
  ASSERT_TRUE(c2.has_value());
  EXPECT_EQ((*c2)["sequence"], west);
  EXPECT_EQ(carol_ws->Receive(std::chrono::milliseconds(200)), std::nullopt);
}

TEST_F(ServerLiveTest, UnreadableOrUnknownCubeIsAnErrorNotData) {
  ASSERT_EQ(
      client_->Post("/api/users", {{"name", "eve"}, {"password", "password-eve"}}, token_).status,
      201);
  auto ws = Live(Login("eve", "password-eve"));
  ws->Send({{"op", "subscribe"}, {"cube", "Sales"}});
  std::optional<json> error = ws->Receive();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["type"], "error");
  EXPECT_EQ((*error)["code"], "NOT_FOUND");
  EXPECT_EQ((*error)["cube"], "Sales");
  Write(token_, {CellJson("East", "Feb", 1)});
  EXPECT_EQ(ws->Receive(std::chrono::milliseconds(200)), std::nullopt);
  EXPECT_FALSE(ws->closed());
}

TEST_F(ServerLiveTest, UpgradeNeedsAToken) {
  WsClient anonymous(port(), "/api/live");
  EXPECT_FALSE(anonymous.open());
  EXPECT_EQ(anonymous.upgrade_status(), 401);
  WsClient forged(port(), "/api/live", "qs.forged.token");
  EXPECT_EQ(forged.upgrade_status(), 401);
  // Browsers cannot set the header: the token may come as a query parameter.
  WsClient query(port(), "/api/live?access_token=" + token_);
  EXPECT_TRUE(query.open());
  EXPECT_EQ(query.upgrade_status(), 101);
  Subscribe(query);
  // Without an upgrade the route says what it is.
  EXPECT_EQ(client_->Get("/api/live", token_).status, 426);
  EXPECT_EQ(client_->Get("/api/live").status, 401);
}

TEST_F(ServerLiveTest, BadMessagesAreAnsweredAndTheConnectionStaysUsable) {
  auto ws = Live(token_);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not json", "MALFORMED_JSON"},
      {"[1, 2]", "INVALID_ARGUMENT"},
      {R"({"op": "dance"})", "INVALID_ARGUMENT"},
      {R"({"op": "subscribe"})", "INVALID_ARGUMENT"},
      {R"({"op": "subscribe", "cube": "Sales", "after": -1})", "INVALID_ARGUMENT"},
      {R"({"op": "subscribe", "cube": "Sales", "colour": 1})", "INVALID_ARGUMENT"},
      {R"({"op": "unsubscribe", "cube": "Sales"})", "NOT_FOUND"},
      {std::string(100, '[') + std::string(100, ']'), "JSON_TOO_DEEP"},
  };
  for (const auto& [text, code] : bad) {
    ws->SendText(text);
    std::optional<json> error = ws->Receive();
    ASSERT_TRUE(error.has_value()) << text;
    EXPECT_EQ((*error)["type"], "error") << text;
    EXPECT_EQ((*error)["code"], code) << text;
  }
  Subscribe(*ws);
  uint64_t seq = Write(token_, {CellJson("East", "Feb", 1)});
  std::optional<json> change = ws->ReceiveType("change");
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ((*change)["sequence"], seq);
  ws->Send({{"op", "unsubscribe"}, {"cube", "Sales"}});
  EXPECT_TRUE(ws->ReceiveType("unsubscribed").has_value());
}

// A limit small enough that the server has read the whole message when it
// refuses it: a close with unread bytes would reset the connection, and the
// client could lose the close frame.
class ServerLiveLimitTest : public ServerLiveTest {
 protected:
  void Configure(server::ServerOptions& o) override { o.http.websocket_message_bytes_max = 1000; }
};

TEST_F(ServerLiveLimitTest, MessageOverTheLimitClosesTheConnection) {
  auto ws = Live(token_);
  ws->SendText(R"({"op": "subscribe", "cube": ")" + std::string(2000, 'x') + "\"}");
  EXPECT_EQ(ws->Receive(), std::nullopt);
  EXPECT_TRUE(ws->closed());
  EXPECT_EQ(ws->close_code(), 1009);
}

TEST_F(ServerLiveTest, RevokedTokenClosesTheConnection) {
  const std::string bob = ReaderOf("bob", "East");
  auto ws = Live(bob);
  Subscribe(*ws);
  ASSERT_EQ(client_->Post("/api/logout", json::object(), bob).status, 200);
  Write(token_, {CellJson("East", "Feb", 1)});
  EXPECT_EQ(ws->ReceiveType("change"), std::nullopt);
  EXPECT_TRUE(ws->closed());
  EXPECT_EQ(ws->close_code(), 1008);
}

TEST_F(ServerLiveTest, ExpiredSessionClosesTheConnection) {
  auto ws = Live(token_);
  Subscribe(*ws);
  const std::string api = client_->Post("/api/tokens", {{"name", "w"}}, token_).Json()["token"];
  now_s_ += 9 * 3600;  // past the session's 8 hours
  Write(api, {CellJson("East", "Feb", 1)});
  EXPECT_EQ(ws->ReceiveType("change"), std::nullopt);
  EXPECT_TRUE(ws->closed());
  EXPECT_EQ(ws->close_code(), 1008);
}

// A client that stops reading is dropped once its few queued pushes are
// waiting, while the others keep receiving theirs.
class ServerLiveSlowClientTest : public ServerLiveTest {
 protected:
  void Configure(server::ServerOptions& o) override { o.http.websocket_queued_messages_max = 4; }
};

TEST_F(ServerLiveSlowClientTest, ClientThatStopsReadingIsDroppedWithoutHoldingUpOthers) {
  // Pushes of about 50 KB to a client with a small receive buffer: once the
  // server's send buffer is full too, its queue fills and it is dropped.
  constexpr int kItems = 1000, kWritesMax = 1000;
  std::string items = "member,parent,weight\nAll,,\n";
  for (int i = 0; i < kItems; ++i) items += "I" + std::to_string(i) + ",All,1\n";
  ASSERT_TRUE(db_->CreateDimension("Item", items, {"setup", ""}).ok());
  ASSERT_TRUE(db_->CreateCube("Big", {"Item"}, {"setup", ""}).ok());
  auto fast = Live(token_);
  auto slow = std::make_unique<WsClient>(port(), "/api/live", token_, "", 4096);
  Subscribe(*fast, {{"op", "subscribe"}, {"cube", "Big"}});
  Subscribe(*slow, {{"op", "subscribe"}, {"cube", "Big"}});
  auto connections_open = [&] {
    std::string metrics = client_->Get("/metrics", token_).body;
    size_t at = metrics.find("\nquantatom_http_connections_open ");
    return at == std::string::npos ? -1 : std::stoi(metrics.substr(metrics.find(' ', at + 1)));
  };
  ASSERT_EQ(connections_open(), 3);  // this HTTP client, fast and slow
  int writes = 0;
  for (; writes < kWritesMax && connections_open() == 3; ++writes) {
    json cells = json::array();
    for (int i = 0; i < kItems; ++i)
      cells.push_back({{"members", {"I" + std::to_string(i)}}, {"value", writes * kItems + i}});
    HttpReply r = client_->Post("/api/cubes/Big/cells", {{"cells", cells}}, token_);
    ASSERT_EQ(r.status, 200) << r.body;
    std::optional<json> change = fast->ReceiveType("change");
    ASSERT_TRUE(change.has_value()) << "write " << writes;
    ASSERT_EQ((*change)["sequence"], r.Json()["sequence"]);
  }
  EXPECT_LT(writes, kWritesMax);
  int slow_changes = 0;
  while (std::optional<json> m = slow->Receive()) slow_changes += (*m)["type"] == "change";
  EXPECT_TRUE(slow->closed());
  EXPECT_LT(slow_changes, writes);
}

// A change feed that keeps two deltas: a larger load is logged but its
// deltas are not kept in memory.
class ServerLiveReloadTest : public ServerLiveTest {
 protected:
  Result<std::unique_ptr<Database>> OpenDatabase() override {
    DatabaseOptions o;
    o.change_feed_deltas_max = 2;
    return Database::Open(dir(), o);
  }
};

TEST_F(ServerLiveReloadTest, LoadWhoseDeltasAreNotKeptIsPushedAsAReload) {
  auto ws = Live(token_);
  Subscribe(*ws);
  const std::string facts = dir() + "/../live_facts.csv";
  std::ofstream(facts) << "Region,Month,Value\nEast,Feb,1\nWest,Feb,2\nEast,Jan,3\n";
  auto loaded = db_->LoadFacts("Sales", facts, {"loader", ""});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::optional<json> m = ws->Receive();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["type"], "reload");
  EXPECT_EQ((*m)["sequence"], loaded->sequence);
  EXPECT_EQ((*m)["cube"], "Sales");
  std::remove(facts.c_str());
}

}  // namespace
}  // namespace quantatom::testing
