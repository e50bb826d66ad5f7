// Structure editing over HTTP (admin): dimensions and cubes created and
// deleted, members added, renamed, moved and deleted, each one logged
// transaction; bad input is a 4xx naming the field or member and changes
// nothing; data and grants in the way are 409s with details; grants follow
// a rename; live clients are told to reload; and every change survives a
// reopening of the data directory.
#include "server_fixture.h"
#include "support/ws_client.h"

namespace quantatom::testing {
namespace {

class ServerStructureTest : public ServerFixture {
 protected:
  HttpReply Req(const std::string& method, const std::string& target, const json& body = nullptr,
                const std::string& token = "") {
    return client_->Request(method, target, body.is_null() ? "" : body.dump(),
                            token.empty() ? token_ : token);
  }
  // The model as GET /api/model shows it, without its sequence.
  json Model() {
    json m = client_->Get("/api/model", token_).Json();
    m.erase("last_sequence");
    return m;
  }
  std::vector<std::string> Children(const std::string& dim, const std::string& parent) {
    auto d = db_->FindDimension(dim);
    std::vector<std::string> out;
    for (const WeightedLink& c : d->children(*d->Find(parent)))
      out.push_back(d->member_name(c.member));
    return out;
  }
  // A non-admin user with `grants` on Sales (default READ).
  std::string Reader(const std::string& name, json grants = json::array()) {
    EXPECT_EQ(client_->Post("/api/roles", {{"name", "r_" + name}}, token_).status, 201);
    EXPECT_EQ(Req("PUT", "/api/roles/r_" + name + "/cubes/Sales",
                  {{"access", "READ"}, {"grants", grants}})
                  .status,
              200);
    EXPECT_EQ(
        client_->Post("/api/users", {{"name", name}, {"password", "password-" + name}}, token_)
            .status,
        201);
    EXPECT_EQ(
        client_->Post("/api/users/" + name + "/roles", {{"role", "r_" + name}}, token_).status,
        200);
    return Login(name, "password-" + name);
  }
};

TEST_F(ServerStructureTest, DimensionFromAMemberListAndACubeOverIt) {
  HttpReply made = client_->Post(
      "/api/dimensions",
      {{"name", "Product"},
       {"members",
        {{{"name", "All"}},
         {{"name", "Bikes"},
          {"parents", {{{"name", "All"}, {"weight", 1}}}},
          {"aliases", {"BK"}},
          {"attributes", {{"Color", "red"}, {"Weight kg", 9.5}}}},
         {{"name", "Returns, net"}, {"parents", {{{"name", "All"}, {"weight", -1}}}}}}}},
      token_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.Json()["dimension"]["members"], 3);
  EXPECT_EQ(made.Json()["dimension"]["roots"], json::array({"All"}));
  HttpReply bikes = client_->Get("/api/dimensions/Product/members/bk", token_);
  ASSERT_EQ(bikes.status, 200) << bikes.body;
  EXPECT_EQ(bikes.Json()["name"], "Bikes");
  EXPECT_EQ(bikes.Json()["attributes"], json::parse(R"({"Color": "red", "Weight kg": 9.5})"));
  HttpReply cube =
      client_->Post("/api/cubes", {{"name", "Mix"}, {"dimensions", {"Product", "Month"}}}, token_);
  ASSERT_EQ(cube.status, 201) << cube.body;
  EXPECT_EQ(cube.Json()["cube"]["dimensions"], json::array({"Product", "Month"}));
  HttpReply w = client_->Post("/api/cubes/Mix/cells",
                              {{"cells",
                                {{{"members", {"Bikes", "Jan"}}, {"value", 5}},
                                 {{"members", {"Returns, net", "Jan"}}, {"value", 2}}}}},
                              token_);
  ASSERT_EQ(w.status, 200) << w.body;
  // From the dimension CSV too.
  HttpReply csv = client_->Post(
      "/api/dimensions",
      {{"name", "Scenario"}, {"csv", "member,parent,weight\nBase,,\nUp,Base,1\n"}}, token_);
  ASSERT_EQ(csv.status, 201) << csv.body;
  EXPECT_EQ(csv.Json()["dimension"]["leaves"], 1);
  EXPECT_EQ(*db_->FindCube("Mix")->ReadCell({*db_->FindDimension("Product")->Find("All"),
                                             *db_->FindDimension("Month")->Find("Q1")}),
            3);
}

TEST_F(ServerStructureTest, BadDimensionsAndCubesAreClientErrorsThatChangeNothing) {
  const json before = Model();
  const uint64_t sequence = db_->last_sequence();
  struct Case {
    json body;
    int status;
    std::string code, part;
  };
  const std::vector<Case> dims = {
      {{{"members", json::array({{{"name", "A"}}})}}, 400, "INVALID_ARGUMENT", "'name'"},
      {{{"name", "D"}}, 400, "INVALID_ARGUMENT", "'members' or 'csv'"},
      {{{"name", "D"}, {"members", json::array()}, {"csv", "x"}},
       400,
       "INVALID_ARGUMENT",
       "either"},
      {{{"name", "D"}, {"members", json::array({{{"name", "A"}, {"parent", "B"}}})}},
       400,
       "INVALID_ARGUMENT",
       "members[0]: unknown field 'parent'"},
      {{{"name", "D"}, {"members", json::array({{{"name", "A"}, {"parents", {{{"name", "B"}}}}}})}},
       404,
       "NOT_FOUND",
       "unknown parent 'B'"},
      {{{"name", "D"}, {"members", json::array({{{"name", "A"}, {"attributes", {{"x", true}}}}})}},
       400,
       "INVALID_ARGUMENT",
       "members[0].attributes.x"},
      {{{"name", "Region"}, {"csv", "member,parent,weight\nA,,\n"}},
       409,
       "ALREADY_EXISTS",
       "'Region'"},
      {{{"name", "D"}, {"csv", "member,parent,weight\nA,B,1\nB,A,1\n"}},
       400,
       "INVALID_ARGUMENT",
       "cycle"},
      {{{"name", "D\x01"}, {"csv", "member,parent,weight\nA,,\n"}},
       400,
       "INVALID_ARGUMENT",
       "control"},
  };
  for (const Case& c : dims) {
    HttpReply r = client_->Post("/api/dimensions", c.body, token_);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " " << r.body;
    EXPECT_EQ(r.ErrorCode(), c.code) << r.body;
    EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find(c.part), std::string::npos)
        << r.body;
  }
  EXPECT_EQ(client_->Request("POST", "/api/dimensions", "{", token_).ErrorCode(), "MALFORMED_JSON");
  const std::vector<Case> cubes = {
      {{{"name", "C"}, {"dimensions", {"Region", "Nowhere"}}}, 404, "NOT_FOUND", "'Nowhere'"},
      {{{"name", "C"}, {"dimensions", {"Region", "Region"}}}, 400, "INVALID_ARGUMENT", "twice"},
      {{{"name", "Sales"}, {"dimensions", {"Region"}}}, 409, "ALREADY_EXISTS", "'Sales'"},
      {{{"name", "C"}, {"dimensions", json::array()}}, 400, "INVALID_ARGUMENT", "'dimensions'"},
      {{{"name", "C"}, {"dimensions", {1}}}, 400, "INVALID_ARGUMENT", "'dimensions'"},
  };
  for (const Case& c : cubes) {
    HttpReply r = client_->Post("/api/cubes", c.body, token_);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " " << r.body;
    EXPECT_EQ(r.ErrorCode(), c.code) << r.body;
    EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find(c.part), std::string::npos)
        << r.body;
  }
  EXPECT_EQ(Model(), before);
  EXPECT_EQ(db_->last_sequence(), sequence);
}

TEST_F(ServerStructureTest, DeletesRefuseWhatIsInUseAndNameIt) {
  HttpReply used = Req("DELETE", "/api/dimensions/Month");
  EXPECT_EQ(used.status, 409);
  EXPECT_EQ(used.ErrorCode(), "IN_USE");
  EXPECT_NE(used.body.find("'Sales'"), std::string::npos) << used.body;
  HttpReply full = Req("DELETE", "/api/cubes/Sales");
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(full.ErrorCode(), "HAS_DATA");
  EXPECT_EQ(full.Json()["error"]["atoms"], 2);
  EXPECT_EQ(Req("DELETE", "/api/cubes/Sales?delete_data=maybe").status, 400);
  EXPECT_EQ(Req("DELETE", "/api/cubes/Nowhere").status, 404);
  EXPECT_EQ(Req("DELETE", "/api/dimensions/Nowhere").status, 404);
  EXPECT_TRUE(db_->FindCube("Sales"));
  HttpReply gone = Req("DELETE", "/api/cubes/Sales?delete_data=true");
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(gone.Json()["atoms_deleted"], 2);
  EXPECT_EQ(Req("DELETE", "/api/dimensions/Month").status, 200);
  EXPECT_EQ(client_->Get("/api/dimensions/Month", token_).status, 404);
}

TEST_F(ServerStructureTest, MembersAreAddedRenamedMovedAndDeleted) {
  HttpReply added = client_->Post("/api/dimensions/Region/members",
                                  {{"name", "North"},
                                   {"parents", {{{"name", "World"}, {"weight", 2}}}},
                                   {"aliases", {"N"}},
                                   {"attributes", {{"Manager", "Ana"}}}},
                                  token_);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Json()["member"]["parents"],
            json::parse(R"([{"name": "World", "weight": 2.0}])"));
  EXPECT_EQ(added.Json()["atoms_deleted"], 0);
  ASSERT_EQ(WriteCells({{"cells", {CellJson("North", "Jan", 3)}}}).status, 200);
  EXPECT_EQ(Read("World", "Jan"), 10 - 4 + 6);

  HttpReply renamed =
      Req("PATCH", "/api/dimensions/Region/members/N",
          {{"name", "Nord"}, {"aliases", {"NO"}}, {"attributes", {{"Manager", nullptr}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Json()["member"]["name"], "Nord");
  EXPECT_EQ(renamed.Json()["member"]["aliases"], json::array({"NO"}));
  EXPECT_EQ(renamed.Json()["member"]["attributes"], json::object());
  EXPECT_EQ(Read("Nord", "Jan"), 3);

  HttpReply moved = client_->Post("/api/dimensions/Region/members/Nord/move",
                                  {{"parents", {{{"name", "World"}, {"weight", -1}}}}}, token_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Read("World", "Jan"), 10 - 4 - 3);
  HttpReply cycle = client_->Post("/api/dimensions/Region/members/World/move",
                                  {{"parents", {{{"name", "Nord"}}}}}, token_);
  EXPECT_EQ(cycle.status, 422);
  EXPECT_EQ(cycle.ErrorCode(), "FAILED_PRECONDITION");
  EXPECT_NE(cycle.body.find("cycle"), std::string::npos);

  HttpReply refused = Req("DELETE", "/api/dimensions/Region/members/Nord");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.ErrorCode(), "HAS_DATA");
  EXPECT_EQ(refused.Json()["error"]["atoms"], 1);
  EXPECT_EQ(refused.Json()["error"]["cubes"], json::parse(R"([{"cube": "Sales", "atoms": 1}])"));
  HttpReply deleted = Req("DELETE", "/api/dimensions/Region/members/Nord?delete_data=true");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json()["atoms_deleted"], 1);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members/Nord", token_).status, 404);
  EXPECT_EQ(Read("World", "Jan"), 6);

  // Orphaned children become roots.
  HttpReply orphaned = Req("DELETE", "/api/dimensions/Region/members/World?children=orphan");
  ASSERT_EQ(orphaned.status, 200) << orphaned.body;
  EXPECT_EQ(client_->Get("/api/dimensions/Region", token_).Json()["roots"],
            json::array({"East", "West"}));
}

TEST_F(ServerStructureTest, BadMemberChangesAreClientErrorsThatChangeNothing) {
  const json before = Model();
  const uint64_t sequence = db_->last_sequence();
  struct Case {
    std::string method, target;
    json body;
    int status;
    std::string code, part;
  };
  const std::vector<Case> cases = {
      {"POST",
       "/api/dimensions/Region/members",
       {{"parents", json::array()}},
       400,
       "INVALID_ARGUMENT",
       "'name'"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "East"}},
       409,
       "ALREADY_EXISTS",
       "'East'"},
      {"POST", "/api/dimensions/Region/members", {{"name", "e"}}, 409, "ALREADY_EXISTS", "'e'"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "X"}, {"parents", {{{"name", "Mars"}}}}},
       404,
       "NOT_FOUND",
       "'Mars'"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "X"}, {"parents", {{{"name", "World"}}, {{"name", "world"}}}}},
       400,
       "INVALID_ARGUMENT",
       "twice"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "X"}, {"parents", {{{"name", "World"}, {"weight", "1"}}}}},
       400,
       "INVALID_ARGUMENT",
       "parents[0].weight"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "X"}, {"colour", "red"}},
       400,
       "INVALID_ARGUMENT",
       "'colour'"},
      {"POST", "/api/dimensions/Nowhere/members", {{"name", "X"}}, 404, "NOT_FOUND", "'Nowhere'"},
      {"POST",
       "/api/dimensions/Region/members",
       {{"name", "Boston"}, {"parents", {{{"name", "East"}}}}},
       409,
       "HAS_DATA",
       "1 atom"},
      {"PATCH", "/api/dimensions/Region/members/East", json::object(), 400, "INVALID_ARGUMENT",
       "'name'"},
      {"PATCH",
       "/api/dimensions/Region/members/East",
       {{"name", "West"}},
       409,
       "ALREADY_EXISTS",
       "'West'"},
      {"PATCH", "/api/dimensions/Region/members/Mars", {{"name", "X"}}, 404, "NOT_FOUND", "'Mars'"},
      {"PATCH",
       "/api/dimensions/Region/members/East",
       {{"aliases", {""}}},
       400,
       "INVALID_ARGUMENT",
       "'aliases'"},
      {"POST", "/api/dimensions/Region/members/East/move", json::object(), 400, "INVALID_ARGUMENT",
       "'parents'"},
      {"POST",
       "/api/dimensions/Region/members/West/move",
       {{"parents", {{{"name", "East"}}}}},
       409,
       "HAS_DATA",
       "'East'"},
      {"POST",
       "/api/dimensions/Region/members/World/move",
       {{"parents", {{{"name", "World"}}}}},
       422,
       "FAILED_PRECONDITION",
       "cycle"},
      {"DELETE", "/api/dimensions/Region/members/East?children=adopt", nullptr, 400,
       "INVALID_ARGUMENT", "'children'"},
      {"DELETE", "/api/dimensions/Region/members/Mars", nullptr, 404, "NOT_FOUND", "'Mars'"},
      {"DELETE", "/api/dimensions/Region/members/West", nullptr, 409, "HAS_DATA", "'West'"},
  };
  for (const Case& c : cases) {
    HttpReply r = Req(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << r.body;
    EXPECT_EQ(r.ErrorCode(), c.code) << r.body;
    EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find(c.part), std::string::npos)
        << r.body;
  }
  EXPECT_EQ(Model(), before);
  EXPECT_EQ(db_->last_sequence(), sequence);
  EXPECT_EQ(Read("World", "Jan"), 6);
}

TEST_F(ServerStructureTest, GrantsFollowARenameAndADeleteNamedByOneIsRefused) {
  const std::string bob =
      Reader("bob", {{{"dimension", "Region"}, {"member", "E"}, {"access", "NONE"}}});
  auto bob_regions = [&] {
    std::vector<std::string> names;
    const json listed = client_->Get("/api/dimensions/Region/members", bob).Json();
    for (const json& m : listed["members"]) names.push_back(m["name"]);
    return names;
  };
  ASSERT_EQ(bob_regions(), (std::vector<std::string>{"World", "West"}));
  // The grant names East by its alias "E": renaming East and dropping the
  // alias carries the grant to the new name.
  HttpReply renamed = Req("PATCH", "/api/dimensions/Region/members/East",
                          {{"name", "Eastern"}, {"aliases", {"EA"}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(bob_regions(), (std::vector<std::string>{"World", "West"}));
  json roles = client_->Get("/api/roles", token_).Json();
  EXPECT_EQ(roles["roles"][0]["cubes"][0]["grants"],
            json::parse(R"([{"dimension": "Region", "member": "Eastern", "access": "NONE"}])"));
  EXPECT_EQ(roles["problems"], json::array());
  HttpReply refused = Req("DELETE", "/api/dimensions/Region/members/Eastern?delete_data=true");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.ErrorCode(), "HAS_GRANTS");
  EXPECT_EQ(refused.Json()["error"]["grants"],
            json::parse(R"([{"role": "r_bob", "cube": "Sales", "member": "Eastern"}])"));
  EXPECT_TRUE(db_->FindDimension("Region")->Find("Eastern"));
  // Deleting the cube drops the roles' grants on it; a new cube of that
  // name gives bob nothing.
  ASSERT_EQ(Req("DELETE", "/api/cubes/Sales?delete_data=true").status, 200);
  EXPECT_EQ(client_->Get("/api/roles", token_).Json()["roles"][0]["cubes"], json::array());
  ASSERT_EQ(
      client_->Post("/api/cubes", {{"name", "Sales"}, {"dimensions", {"Region", "Month"}}}, token_)
          .status,
      201);
  EXPECT_EQ(client_->Get("/api/cubes/Sales", bob).status, 404);
}

TEST_F(ServerStructureTest, OnlyAdminsChangeStructureAndReadersSeeOnlyVisibleMembers) {
  const std::string bob =
      Reader("bob", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}});
  EXPECT_EQ(client_->Post("/api/dimensions/Region/members", {{"name", "X"}}, bob).status, 403);
  EXPECT_EQ(Req("DELETE", "/api/dimensions/Region/members/East", nullptr, bob).status, 403);
  HttpReply hidden = client_->Get("/api/dimensions/Region/members/West", bob);
  HttpReply absent = client_->Get("/api/dimensions/Region/members/Mars", bob);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(hidden.ErrorCode(), absent.ErrorCode());
  EXPECT_EQ(hidden.Json()["error"]["message"], "unknown member 'West' of dimension 'Region'");
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members/East", bob).status, 200);
}

TEST_F(ServerStructureTest, LiveSubscribersAreToldToReload) {
  WsClient ws(port(), "/api/live", token_);
  ASSERT_TRUE(ws.open());
  ws.Send({{"op", "subscribe"}, {"cube", "sales"}});  // any case
  auto ack = ws.Receive();
  ASSERT_TRUE(ack && (*ack)["type"] == "subscribed") << (ack ? ack->dump() : "nothing");
  HttpReply added = client_->Post("/api/dimensions/Region/members",
                                  {{"name", "North"}, {"parents", {{{"name", "World"}}}}}, token_);
  ASSERT_EQ(added.status, 201);
  auto reload = ws.Receive();
  ASSERT_TRUE(reload) << "no notice";
  EXPECT_EQ((*reload)["type"], "reload");
  EXPECT_EQ((*reload)["cube"], "Sales");
  EXPECT_EQ((*reload)["sequence"], added.Json()["sequence"]);
  // And of a deleted cube.
  ASSERT_EQ(Req("DELETE", "/api/cubes/Sales?delete_data=true").status, 200);
  auto gone = ws.Receive();
  ASSERT_TRUE(gone);
  EXPECT_EQ((*gone)["type"], "reload");
}

TEST_F(ServerStructureTest, TheChangeFeedShowsStructureChangesToAdminsOnly) {
  const std::string bob = Reader("bob");
  const uint64_t after = db_->last_sequence();
  ASSERT_EQ(
      client_
          ->Post("/api/dimensions/Region/members",
                 {{"name", "Boston"}, {"parents", {{{"name", "East"}}}}, {"delete_data", true}},
                 token_)
          .status,
      201);
  json admin = client_->Get("/api/changes?after=" + std::to_string(after), token_).Json();
  ASSERT_EQ(admin["transactions"].size(), 1u);
  const json& t = admin["transactions"][0];
  EXPECT_EQ(t["kind"], "add_member");
  EXPECT_EQ(t["parameters"]["member"], "Boston");
  EXPECT_EQ(t["deltas"], json::parse(R"([{"cell": ["East", "Jan"], "old_value": 10.0,
                                          "new_value": null}])"));
  // bob reads East: he sees the removal, not the structure change's parameters.
  json shown = client_->Get("/api/changes?after=" + std::to_string(after), bob).Json();
  ASSERT_EQ(shown["transactions"].size(), 1u);
  EXPECT_FALSE(shown["transactions"][0].contains("parameters"));
  EXPECT_EQ(shown["transactions"][0]["deltas_count"], 1);
}

TEST_F(ServerStructureTest, AcknowledgedChangesSurviveReopening) {
  ASSERT_EQ(client_
                ->Post("/api/dimensions/Region/members",
                       {{"name", "North"}, {"parents", {{{"name", "World"}}}}}, token_)
                .status,
            201);
  ASSERT_EQ(WriteCells({{"cells", {CellJson("North", "Feb", 8)}}}).status, 200);
  ASSERT_EQ(Req("DELETE", "/api/dimensions/Region/members/West?delete_data=true").status, 200);
  ASSERT_EQ(Req("PATCH", "/api/dimensions/Region/members/North", {{"name", "Nord"}}).status, 200);
  server_.reset();
  db_.reset();
  auto db = Database::Open(dir());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(Read("World", "Q1"), 18);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members/Nord", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members/West", token_).status, 404);
}

}  // namespace
}  // namespace quantatom::testing
