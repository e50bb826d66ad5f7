// Cells over HTTP: a view's grid is the core's; a batch write is atomic;
// a stale expected_sequence is a 409 naming the cells; a retried
// client_txn_id applies once; history and the change feed name the cells.
#include <thread>

#include "env/fault_env.h"
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerCellsTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override { o.limits.cells_per_request_max = 4; }
};

const char kView[] =
    "{\"rows\": {\"dimension\": \"Region\", \"members\": \"descendants(World)\"},"
    " \"columns\": {\"dimension\": \"Month\", \"members\": [\"Jan\", \"Feb\", \"Q1\"]}}";

TEST_F(ServerCellsTest, ViewAnswerIsTheCoreGrid) {
  HttpReply r = client_->Request("POST", "/api/cubes/sales/view", kView, token_);
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(kView);
  body["cube"] = "Sales";
  auto view = ParseViewJson(body.dump());
  ASSERT_TRUE(view.ok());
  auto grid = db_->FindCube("Sales")->Query(*view);
  ASSERT_TRUE(grid.ok());
  // The core's grid, and for an admin every cell readable, leaves writable.
  json answer = r.Json();
  EXPECT_EQ(answer["access"], json::parse(R"(["RRR", "WWR", "WWR"])"));
  answer.erase("access");
  EXPECT_EQ(answer, json::parse(GridToJson(*grid)));
  EXPECT_EQ(r.Json()["values"][0][0], 6.0);  // World, Jan = 10 - 4
  EXPECT_EQ(r.headers["x-quantatom-sequence"], std::to_string(db_->last_sequence()));
}

TEST_F(ServerCellsTest, ViewAsOfAnEarlierSequence) {
  uint64_t before = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", {CellJson("East", "Jan", 100)}}}).status, 200);
  HttpReply now = client_->Request("POST", "/api/cubes/Sales/view", kView, token_);
  HttpReply then = client_->Request("POST", "/api/cubes/Sales/view?as_of=" + std::to_string(before),
                                    kView, token_);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(now.Json()["values"][0][0], 96.0);
  EXPECT_EQ(then.Json()["values"][0][0], 6.0);
}

TEST_F(ServerCellsTest, BadViewsAreClientErrors) {
  auto post = [&](const std::string& target, const std::string& body) {
    return client_->Request("POST", target, body, token_);
  };
  EXPECT_EQ(post("/api/cubes/Nope/view", kView).status, 404);
  EXPECT_EQ(post("/api/cubes/Sales/view", "{\"rows\": ").ErrorCode(), "MALFORMED_JSON");
  EXPECT_EQ(post("/api/cubes/Sales/view", "[1]").status, 400);
  HttpReply unknown = post("/api/cubes/Sales/view",
                           R"({"rows": {"dimension": "Region", "members": "Mars"},
                               "columns": {"dimension": "Month", "members": "Jan"}})");
  EXPECT_GE(unknown.status, 400);
  EXPECT_LT(unknown.status, 500);
  EXPECT_NE(unknown.Json()["error"]["message"].get<std::string>().find("Mars"), std::string::npos);
  EXPECT_EQ(post("/api/cubes/Sales/view", R"({"cube": "Other", "rows": [], "columns": []})").status,
            400);
  EXPECT_EQ(post("/api/cubes/Sales/view", R"({"rows": 5, "columns": {}})").ErrorCode(),
            "INVALID_ARGUMENT");
  EXPECT_EQ(post("/api/cubes/Sales/view?as_of=abc", kView).status, 400);
}

TEST_F(ServerCellsTest, BatchWriteIsAtomic) {
  const uint64_t before = db_->last_sequence();
  HttpReply bad = WriteCells(
      {{"cells",
        {CellJson("East", "Feb", 1), CellJson("Mars", "Feb", 2), CellJson("West", "Feb", 3)}}});
  EXPECT_EQ(bad.status, 404) << bad.body;
  EXPECT_NE(bad.body.find("cells[1]"), std::string::npos) << bad.body;
  HttpReply consolidated =
      WriteCells({{"cells", {CellJson("East", "Feb", 1), CellJson("World", "Feb", 2)}}});
  EXPECT_EQ(consolidated.status, 422) << consolidated.body;
  EXPECT_EQ(consolidated.ErrorCode(), "FAILED_PRECONDITION");
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);

  HttpReply good = WriteCells({{"cells",
                                {CellJson("E", "Feb", 1.5), CellJson("west", "Feb", 3),
                                 CellJson("East", "Jan", nullptr)}}});
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.Json()["sequence"], before + 1);
  EXPECT_EQ(good.Json()["atoms_changed"], 3);
  EXPECT_EQ(good.Json()["replayed"], false);
  EXPECT_EQ(Read("East", "Feb"), 1.5);
  EXPECT_EQ(Read("World", "Feb"), -1.5);
  EXPECT_EQ(Read("East", "Jan"), std::nullopt);
  auto history = db_->ChangesSince(before, 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].user, kAdmin);
}

TEST_F(ServerCellsTest, MalformedWritesAreRefusedAndChangeNothing) {
  const uint64_t before = db_->last_sequence();
  struct Case {
    json body;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {{{"cells", {CellJson("East", "Feb", "12")}}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {{{"members", "East,Feb"}, {"value", 1}}}}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {{{"members", {"East", "Feb"}}}}}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {{{"members", {"East"}}, {"value", 1}}}}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {{{"members", {"East", 7}}, {"value", 1}}}}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", json::array()}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {CellJson("East", "Feb", 1)}}, {"expected_sequence", -1}},
       400,
       "INVALID_ARGUMENT"},
      {{{"cells", {CellJson("East", "Feb", 1)}}, {"expected_sequence", 999}},
       400,
       "INVALID_ARGUMENT"},
      {{{"cells", {CellJson("East", "Feb", 1)}}, {"client_txn_id", 5}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", {CellJson("East", "Feb", 1)}}, {"typo", 1}}, 400, "INVALID_ARGUMENT"},
      {{{"cells", json::array({CellJson("East", "Feb", 1), CellJson("East", "Feb", 1),
                               CellJson("East", "Feb", 1), CellJson("East", "Feb", 1),
                               CellJson("East", "Feb", 1)})}},
       413,
       "TOO_MANY_CELLS"},
  };
  for (const Case& c : cases) {
    HttpReply r = WriteCells(c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " -> " << r.body;
    EXPECT_EQ(r.ErrorCode(), c.code) << c.body.dump();
    EXPECT_TRUE(r.Json()["error"]["message"].is_string());
  }
  EXPECT_EQ(
      client_->Request("POST", "/api/cubes/Sales/cells", "{\"cells\": [1e999]}", token_).status,
      400);
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
}

TEST_F(ServerCellsTest, StaleExpectedSequenceIs409WithTheCellsInConflict) {
  const uint64_t seen = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", {CellJson("East", "Jan", 11)}}}).status, 200);
  HttpReply conflict =
      WriteCells({{"cells", {CellJson("East", "Jan", 12), CellJson("West", "Jan", 5)}},
                  {"expected_sequence", seen}});
  ASSERT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(conflict.ErrorCode(), "CONFLICT");
  json conflicts = conflict.Json()["error"]["conflicts"];
  ASSERT_EQ(conflicts.size(), 1u) << conflict.body;
  EXPECT_EQ(conflicts[0]["cell"], json({"East", "Jan"}));
  EXPECT_EQ(conflicts[0]["sequence"], seen + 1);
  EXPECT_EQ(conflicts[0]["value"], 11.0);
  EXPECT_EQ(conflict.Json()["error"]["last_sequence"], seen + 1);
  EXPECT_EQ(Read("East", "Jan"), 11.0);
  EXPECT_EQ(Read("West", "Jan"), 4.0);
  EXPECT_EQ(db_->last_sequence(), seen + 1);
  // Cells nobody changed since may be written against the old sequence.
  HttpReply other =
      WriteCells({{"cells", {CellJson("West", "Feb", 7)}}, {"expected_sequence", seen}});
  EXPECT_EQ(other.status, 200) << other.body;
  HttpReply fresh = WriteCells(
      {{"cells", {CellJson("East", "Jan", 12)}}, {"expected_sequence", db_->last_sequence()}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(Read("East", "Jan"), 12.0);
}

TEST_F(ServerCellsTest, RacingConditionalWritesOfOneCellHaveOneWinner) {
  const uint64_t seen = db_->last_sequence();
  constexpr int kWriters = 8;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      HttpClient client(port());
      HttpReply r = client.Post(
          "/api/cubes/Sales/cells",
          {{"cells", {CellJson("East", "Feb", i)}}, {"expected_sequence", seen}}, token_);
      (r.status == 200 ? ok : r.status == 409 ? conflict : other)++;
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kWriters - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(db_->last_sequence(), seen + 1);
}

TEST_F(ServerCellsTest, ConcurrentWritesAllCommit) {
  const uint64_t before = db_->last_sequence();
  const std::vector<std::pair<std::string, std::string>> cells = {
      {"East", "Jan"}, {"East", "Feb"}, {"West", "Jan"}, {"West", "Feb"}};
  constexpr int kWrites = 20;
  std::vector<std::thread> writers;
  for (const auto& cell : cells)
    writers.emplace_back([&, cell] {
      HttpClient client(port());
      for (int v = 1; v <= kWrites; ++v)
        EXPECT_EQ(client
                      .Post("/api/cubes/Sales/cells",
                            {{"cells", {CellJson(cell.first, cell.second, v)}}}, token_)
                      .status,
                  200);
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(db_->last_sequence(), before + cells.size() * kWrites);
  for (const auto& [region, month] : cells) EXPECT_EQ(Read(region, month), double(kWrites));
}

TEST_F(ServerCellsTest, RetriedClientTxnIdAppliesOnce) {
  const uint64_t before = db_->last_sequence();
  json body = {{"cells", {CellJson("East", "Feb", 5)}},
               {"client_txn_id", "grid-42"},
               {"expected_sequence", before}};
  HttpReply first = WriteCells(body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json()["replayed"], false);
  // The retry of a write whose answer was lost: its own earlier commit is
  // not a conflict, and it is not applied again.
  for (int i = 0; i < 2; ++i) {
    HttpReply retry = WriteCells(body);
    ASSERT_EQ(retry.status, 200) << retry.body;
    EXPECT_EQ(retry.Json()["replayed"], true);
    EXPECT_EQ(retry.Json()["sequence"], first.Json()["sequence"]);
  }
  body.erase("expected_sequence");
  body["cells"] = json::array({CellJson("East", "Feb", 99)});  // same id, other cells
  EXPECT_EQ(WriteCells(body).Json()["replayed"], true);
  EXPECT_EQ(db_->last_sequence(), before + 1);
  EXPECT_EQ(Read("East", "Feb"), 5.0);
}

// Ids are per user: another user's write with the same id is its own
// transaction, neither answered with the first user's result nor taken
// for a retry of it by the conflict check.
TEST_F(ServerCellsTest, ClientTxnIdsArePerUser) {
  ASSERT_EQ(client_->Post("/api/roles", {{"name", "w"}}, token_).status, 201);
  ASSERT_EQ(
      client_->Request("PUT", "/api/roles/w/cubes/Sales", R"({"access": "WRITE"})", token_).status,
      200);
  ASSERT_EQ(
      client_->Post("/api/users", {{"name", "bob"}, {"password", "password-bob"}}, token_).status,
      201);
  ASSERT_EQ(client_->Post("/api/users/bob/roles", {{"role", "w"}}, token_).status, 200);
  const std::string bob = Login("bob", "password-bob");
  const uint64_t before = db_->last_sequence();
  json mine = {{"cells", {CellJson("East", "Feb", 5)}}, {"client_txn_id", "save-1"}};
  HttpReply first = WriteCells(mine);
  ASSERT_EQ(first.status, 200) << first.body;
  // bob's write with the same id and a stale expected_sequence: the
  // admin's commit of East,Feb is a conflict for him, not his retry.
  json bobs = {{"cells", {CellJson("East", "Feb", 7)}},
               {"client_txn_id", "save-1"},
               {"expected_sequence", before}};
  HttpReply conflict = client_->Post("/api/cubes/Sales/cells", bobs, bob);
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(conflict.ErrorCode(), "CONFLICT");
  bobs.erase("expected_sequence");
  HttpReply applied = client_->Post("/api/cubes/Sales/cells", bobs, bob);
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(applied.Json()["replayed"], false);
  EXPECT_NE(applied.Json()["sequence"], first.Json()["sequence"]);
  EXPECT_EQ(Read("East", "Feb"), 7.0);
  // Each one's retry gets its own original answer.
  HttpReply again = WriteCells(mine);
  EXPECT_EQ(again.Json()["replayed"], true);
  EXPECT_EQ(again.Json()["sequence"], first.Json()["sequence"]);
  HttpReply bob_again = client_->Post("/api/cubes/Sales/cells", bobs, bob);
  EXPECT_EQ(bob_again.Json()["replayed"], true);
  EXPECT_EQ(bob_again.Json()["sequence"], applied.Json()["sequence"]);
  EXPECT_EQ(db_->last_sequence(), before + 2);
}

TEST_F(ServerCellsTest, HistoryAndChangeFeedNameTheCells) {
  const uint64_t before = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", {CellJson("East", "Jan", 20)}}}).status, 200);
  HttpReply history = client_->Get("/api/cubes/Sales/cells/history?cell=East,Jan", token_);
  ASSERT_EQ(history.status, 200) << history.body;
  json changes = history.Json()["changes"];
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1]["old_value"], 10.0);
  EXPECT_EQ(changes[1]["new_value"], 20.0);
  EXPECT_EQ(changes[1]["user"], kAdmin);
  HttpReply world = client_->Get("/api/cubes/Sales/cells/history?cell=World,Q1", token_);
  ASSERT_EQ(world.status, 200);
  EXPECT_EQ(world.Json()["changes"].size(), 3u);  // East and West in setup, East again
  EXPECT_EQ(client_->Get("/api/cubes/Sales/cells/history?cell=Mars,Jan", token_).status, 404);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/cells/history", token_).status, 400);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/cells/history?cell=East", token_).status, 400);

  HttpReply feed =
      client_->Get("/api/changes?after=" + std::to_string(before - 1) + "&max=10", token_);
  ASSERT_EQ(feed.status, 200) << feed.body;
  json txns = feed.Json()["transactions"];
  ASSERT_EQ(txns.size(), 2u);
  EXPECT_EQ(txns[1]["sequence"], before + 1);
  EXPECT_EQ(txns[1]["kind"], OperationKindName(OperationKind::kWriteBatch));
  EXPECT_EQ(txns[1]["deltas"][0]["cell"], json({"East", "Jan"}));
  EXPECT_EQ(txns[1]["deltas"][0]["new_value"], 20.0);
  EXPECT_EQ(client_->Get("/api/changes?after=0&max=1", token_).Json()["transactions"].size(), 1u);
  EXPECT_EQ(client_->Get("/api/changes?max=0", token_).status, 400);
  EXPECT_EQ(client_->Get("/api/changes?after=x", token_).status, 400);
}

TEST_F(ServerCellsTest, ModelAndMemberSearch) {
  json model = client_->Get("/api/model", token_).Json();
  EXPECT_EQ(model["last_sequence"], db_->last_sequence());
  ASSERT_EQ(model["cubes"].size(), 1u);
  EXPECT_EQ(model["cubes"][0]["dimensions"], json({"Region", "Month"}));
  EXPECT_EQ(model["cubes"][0]["atoms"], 2);
  EXPECT_EQ(model["dimensions"].size(), 2u);
  EXPECT_EQ(client_->Get("/api/dimensions", token_).Json()["dimensions"].size(), 2u);
  // A dimension in no cube is listed too.
  ASSERT_TRUE(db_->CreateDimension("Scenario", "member,parent,weight\nPlan,,\n", {}).ok());
  EXPECT_EQ(client_->Get("/api/dimensions", token_).Json()["dimensions"].size(), 3u);
  EXPECT_EQ(client_->Get("/api/cubes/SALES", token_).Json()["name"], "Sales");
  EXPECT_EQ(client_->Get("/api/dimensions/Nope/members", token_).status, 404);

  auto names = [&](const std::string& query) {
    json reply = client_->Get("/api/dimensions/Region/members" + query, token_).Json();
    json out = json::array();
    for (const json& m : reply["members"]) out.push_back(m["name"]);
    return out;
  };
  EXPECT_EQ(names(""), json({"World", "East", "West"}));
  EXPECT_EQ(names("?search=EST"), json({"West"}));
  EXPECT_EQ(names("?search=e"), json({"East", "West"}));  // "East" by name and alias "E"
  EXPECT_EQ(names("?search=e&offset=1&limit=1"), json({"West"}));
  HttpReply east = client_->Get("/api/dimensions/region/members?search=%65", token_);
  EXPECT_EQ(east.Json()["matches"], 2);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members?limit=99999999", token_).status, 413);
}

TEST(ServerStatusMapping, EveryStatusCodeHasOneHttpStatus) {
  using server::HttpStatusOf;
  EXPECT_EQ(HttpStatusOf(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(StatusCode::kFailedPrecondition), 422);
  EXPECT_EQ(HttpStatusOf(StatusCode::kLimitExceeded), 413);
  EXPECT_EQ(HttpStatusOf(StatusCode::kIoError), 500);
  EXPECT_EQ(HttpStatusOf(StatusCode::kCorruption), 500);
  EXPECT_EQ(HttpStatusOf(StatusCode::kUnknownOutcome), 503);
  EXPECT_EQ(server::ErrorOf(Status::Unknown("fsync")).code, "UNKNOWN_OUTCOME");
}

// A failed fsync: the client learns the write may or may not be durable, and
// that is told apart from a failure.
TEST(ServerUnknownOutcome, FailedFsyncIs503UnknownOutcome) {
  ScopedTempDir security_dir("qa_server_fault");
  std::filesystem::create_directories(security_dir.path());
  FaultEnv env(1);
  DatabaseOptions options;
  options.env = &env;
  options.snapshot_every_transactions = 0;
  auto db = Database::Open("/db", options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->CreateDimension("D", "member,parent,weight\na,,\n", {}).ok());
  ASSERT_TRUE((*db)->CreateCube("C", {"D"}, {}).ok());
  server::ServerOptions o;
  o.port = 0;
  o.auth.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  o.auth.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
  o.bootstrap_admin_user = "admin";
  o.bootstrap_admin_password = "admin-password";
  auto server = server::Server::Start(**db, security_dir.path().string(), o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  HttpClient client((*server)->port());
  std::string token = client.Post("/api/login", {{"user", "admin"}, {"password", "admin-password"}})
                          .Json()["token"];
  json write = {{"cells", {{{"members", {"a"}}, {"value", 1}}}}, {"client_txn_id", "t1"}};
  env.InjectFault(FaultEnv::Operation::kSync, 1, FaultEnv::FaultKind::kIoError);
  HttpReply r = client.Post("/api/cubes/C/cells", write, token);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.ErrorCode(), "UNKNOWN_OUTCOME");
  EXPECT_EQ(client.Get("/healthz").status, 200);
  server->reset();
}

}  // namespace
}  // namespace quantatom::testing
