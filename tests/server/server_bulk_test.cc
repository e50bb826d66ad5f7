// Bulk writes and streamed exports over HTTP: CSV and columnar bodies in
// both modes, errors that name line and column (or index), security on
// every cell, the limits, optimistic concurrency, and exports that round
// trip, omit what a user may not read and stream at one sequence.
#include <random>
#include <set>
#include <sstream>

#include "server_fixture.h"

namespace quantatom::testing {
namespace {

using AtomMap = std::map<std::vector<std::string>, double>;

class ServerBulkTest : public ServerFixture {
 protected:
  void Configure(server::ServerOptions& o) override {
    o.http.bulk_body_bytes_max = 64 << 10;
    o.limits.bulk_cells_max = 1000;
    o.limits.bulk_rejections_listed_max = 3;
  }

  HttpReply Bulk(const std::string& body, const std::string& query = "",
                 const std::string& type = "text/csv", std::string token = "",
                 const std::string& cube = "Sales") {
    return client_->Request("POST", "/api/cubes/" + cube + "/cells/bulk" + query, body,
                            token.empty() ? token_ : token, {{"Content-Type", type}});
  }
  HttpReply Export(const std::string& query, std::string token = "",
                   const std::string& cube = "Sales") {
    return client_->Get("/api/cubes/" + cube + "/cells/export" + query,
                        token.empty() ? token_ : token);
  }
  // The header, then the other lines in any order.
  static std::pair<std::string, std::multiset<std::string>> Lines(const std::string& csv) {
    std::istringstream in(csv);
    std::string header, line;
    std::getline(in, header);
    std::multiset<std::string> rows;
    while (std::getline(in, line)) rows.insert(line);
    return {header, rows};
  }
  std::string Message(const HttpReply& r) { return r.Json()["error"]["message"]; }

  // Every atom of a cube by member names.
  AtomMap Atoms(const std::string& cube_name) {
    auto cube = db_->FindCube(cube_name);
    AtomMap out;
    cube->ForEachAtom([&](const AtomRef& a) {
      std::vector<std::string> names;
      for (size_t d = 0; d < a.leaves.size(); ++d) {
        const Dimension& dim = *cube->dimensions()[d];
        names.push_back(dim.member_name(dim.leaf_member(a.leaves[d])));
      }
      out[names] = a.value;
    });
    return out;
  }

  // A user holding one role on Sales: `fallback` access plus `grants`.
  std::string UserWithRole(const std::string& name, const std::string& fallback, json grants) {
    EXPECT_EQ(client_->Post("/api/roles", {{"name", name}}, token_).status, 201);
    HttpReply r = client_->Request("PUT", "/api/roles/" + name + "/cubes/Sales",
                                   json{{"access", fallback}, {"grants", grants}}.dump(), token_);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(
        client_->Post("/api/users", {{"name", name}, {"password", "password-" + name}}, token_)
            .status,
        201);
    EXPECT_EQ(client_->Post("/api/users/" + name + "/roles", {{"role", name}}, token_).status, 200);
    return Login(name, "password-" + name);
  }
};

TEST_F(ServerBulkTest, CsvBulkWriteIsOneDurableLoad) {
  const uint64_t before = db_->last_sequence();
  // Columns in any order, aliases and any case, CRLF line ends.
  HttpReply r = Bulk("Month,Region,Value\r\nFeb,East,1.5\r\nfeb,west,3\r\nJan,E,7\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["sequence"], before + 1);
  EXPECT_EQ(r.Json()["cells_written"], 3);
  EXPECT_EQ(r.Json()["cells_rejected"], 0);
  EXPECT_EQ(Read("East", "Feb"), 1.5);
  EXPECT_EQ(Read("West", "Feb"), 3);
  EXPECT_EQ(Read("East", "Jan"), 7);  // replaced, not added
  EXPECT_EQ(Read("West", "Jan"), 4);  // untouched
  auto txns = db_->ChangesSince(before, 10);
  ASSERT_TRUE(txns.ok());
  ASSERT_EQ(txns->size(), 1u);
  EXPECT_EQ((*txns)[0].kind, OperationKind::kLoad);
  EXPECT_EQ((*txns)[0].user, kAdmin);
  // Durable: a reopened database has the cells.
  server_.reset();
  db_.reset();
  auto reopened = Database::Open(dir());
  ASSERT_TRUE(reopened.ok());
  db_ = std::move(*reopened);
  EXPECT_EQ(Read("East", "Feb"), 1.5);
  EXPECT_EQ(Read("East", "Jan"), 7);
}

TEST_F(ServerBulkTest, ColumnarBulkWrite) {
  HttpReply r = Bulk(R"({"dimensions": ["Region", "Month"],
                         "columns": {"Month": ["Feb", "Feb"], "Region": ["East", "e"]},
                         "values": [1, 2.25]})",
                     "?mode=all-or-nothing", "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["cells_written"], 2);
  EXPECT_EQ(r.Json()["duplicates"], 1);  // rows at one cell are summed, as a load does
  EXPECT_EQ(Read("East", "Feb"), 3.25);
}

TEST_F(ServerBulkTest, ColumnarWithMemberIndices) {
  HttpReply r = Bulk(R"({"members": {"Region": ["East", "West", "Mars"]},
                         "columns": {"Region": [1, 0, 2, 1], "Month": ["Feb", "Jan", "Feb", "Jan"]},
                         "values": [1, 2, 3, 4]})",
                     "?mode=skip-and-report", "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["cells_written"], 3);
  EXPECT_EQ(r.Json()["rejected"][0]["index"], 2);
  EXPECT_EQ(r.Json()["rejected"][0]["member"], "Mars");
  EXPECT_EQ(Read("West", "Feb"), 1);
  EXPECT_EQ(Read("East", "Jan"), 2);
  EXPECT_EQ(Read("West", "Jan"), 4);
  auto columnar = [&](const std::string& body) { return Bulk(body, "", "application/json"); };
  EXPECT_EQ(columnar(R"({"members": {"Region": ["East"]},
                         "columns": {"Region": [1], "Month": ["Feb"]}, "values": [1]})")
                .ErrorCode(),
            "INVALID_ARGUMENT");
  EXPECT_EQ(columnar(R"({"columns": {"Region": [0], "Month": ["Feb"]}, "values": [1]})").status,
            400);
  EXPECT_EQ(columnar(R"({"members": {"Region": ["East"]},
                         "columns": {"Region": [0, "East"], "Month": ["Feb", "Feb"]},
                         "values": [1, 2]})")
                .status,
            400);
}

TEST_F(ServerBulkTest, AllOrNothingNamesLineAndColumnAndWritesNothing) {
  const uint64_t before = db_->last_sequence();
  struct Case {
    std::string body;
    int status;
    std::string code, where;
  };
  std::vector<Case> cases = {
      {"Region,Month,Value\nEast,Feb,1\nMars,Feb,2\n", 404, "UNKNOWN_MEMBER", "line 3, column 1"},
      {"Region,Month,Value\nEast,Feb,1\nWest,Feb,12x\n", 400, "INVALID_VALUE", "line 3, column 10"},
      {"Region,Month,Value\nEast,Feb,\n", 400, "INVALID_VALUE", "line 2, column 10"},
      {"Region,Month,Value\nEast,Feb,1\nWest,Feb\n", 400, "WRONG_FIELD_COUNT", "line 3, column 1"},
      {"Region,Month,Value\nEast,Q1,1\n", 422, "NOT_LEAF", "line 2, column 6"},
      {"Region,Month,Value\n\"East,Feb,1\n", 400, "MALFORMED_CSV", "line 2, column 1"},
  };
  for (const Case& c : cases) {
    HttpReply r = Bulk(c.body);
    EXPECT_EQ(r.status, c.status) << c.body << r.body;
    EXPECT_EQ(r.ErrorCode(), c.code) << r.body;
    EXPECT_NE(Message(r).find(c.where), std::string::npos) << r.body;
    EXPECT_EQ(r.Json()["error"]["cells_rejected"], 1) << r.body;
  }
  HttpReply mars = Bulk(cases[0].body);
  EXPECT_EQ(mars.Json()["error"]["rejected"][0]["member"], "Mars");
  EXPECT_NE(Message(mars).find("'Mars' of dimension 'Region'"), std::string::npos);
  // The header and the body as a whole.
  EXPECT_EQ(Bulk("Region,Planet,Value\nEast,Feb,1\n").status, 404);
  EXPECT_EQ(Bulk("Region,Month\nEast,Feb\n").ErrorCode(), "MALFORMED_CSV");
  EXPECT_EQ(Bulk("").status, 400);
  EXPECT_EQ(Bulk("Region,Month,Value\nEast,Feb,1\n", "", "text/plain").status, 415);
  EXPECT_EQ(Bulk("Region,Month,Value\nEast,Feb,1\n", "?mode=maybe").status, 400);
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
}

TEST_F(ServerBulkTest, ColumnarErrorsNameTheIndex) {
  const uint64_t before = db_->last_sequence();
  auto columnar = [&](const std::string& body) { return Bulk(body, "", "application/json"); };
  HttpReply unknown = columnar(
      R"({"columns": {"Region": ["East", "Mars"], "Month": ["Feb", "Feb"]}, "values": [1, 2]})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.ErrorCode(), "UNKNOWN_MEMBER");
  EXPECT_EQ(unknown.Json()["error"]["rejected"][0]["index"], 1);
  EXPECT_NE(Message(unknown).find("cell 1"), std::string::npos);
  HttpReply type = columnar(
      R"({"columns": {"Region": ["East", "West"], "Month": ["Feb", "Feb"]}, "values": [1, "2"]})");
  EXPECT_EQ(type.ErrorCode(), "INVALID_VALUE") << type.body;
  EXPECT_EQ(type.Json()["error"]["rejected"][0]["index"], 1);
  HttpReply malformed = columnar(R"({"columns": {"Region": ["East")");
  EXPECT_EQ(malformed.ErrorCode(), "MALFORMED_JSON");
  EXPECT_NE(Message(malformed).find("byte"), std::string::npos);
  EXPECT_EQ(columnar(R"({"columns": {"Region": ["East"], "Month": ["Feb"]}, "values": [1, 2]})")
                .ErrorCode(),
            "INVALID_ARGUMENT");
  EXPECT_EQ(columnar(R"({"columns": {"Region": ["East"]}, "values": [1]})").status, 400);
  EXPECT_EQ(columnar(R"({"columns": {"Region": [7], "Month": ["Feb"]}, "values": [1]})").status,
            400);
  EXPECT_EQ(columnar(R"({"cells": []})").status, 400);
  EXPECT_EQ(columnar("[1, 2]").status, 400);
  EXPECT_EQ(db_->last_sequence(), before);
}

TEST_F(ServerBulkTest, SkipAndReportWritesTheRestAndListsEachRejection) {
  HttpReply r = Bulk(
      "Region,Month,Value\nEast,Feb,1\nMars,Feb,2\nWest,Feb,x\nWest,Feb,3\nEast,Q1,1\n"
      "Venus,Jan,1\nPluto,Jan,1\n",
      "?mode=skip-and-report");
  ASSERT_EQ(r.status, 200) << r.body;
  json a = r.Json();
  EXPECT_EQ(a["cells_written"], 2);
  EXPECT_EQ(a["cells_rejected"], 5);
  ASSERT_EQ(a["rejected"].size(), 3u);  // the limit; the rest counted
  EXPECT_EQ(a["rejected_omitted"], 2);
  EXPECT_EQ(a["rejected"][0], json::parse(R"({"line": 3, "column": 1, "code": "UNKNOWN_MEMBER",
      "message": "unknown member 'Mars' of dimension 'Region'", "member": "Mars"})"));
  EXPECT_EQ(a["rejected"][1]["code"], "INVALID_VALUE");
  EXPECT_EQ(a["rejected"][1]["line"], 4);
  EXPECT_EQ(a["rejected"][2]["code"], "NOT_LEAF");
  EXPECT_EQ(Read("East", "Feb"), 1);
  EXPECT_EQ(Read("West", "Feb"), 3);

  // Nothing left to write: no transaction.
  const uint64_t before = db_->last_sequence();
  HttpReply none = Bulk("Region,Month,Value\nMars,Feb,2\n", "?mode=skip-and-report");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.Json()["cells_written"], 0);
  EXPECT_EQ(db_->last_sequence(), before);
}

TEST_F(ServerBulkTest, CellsThatAreNotWritableAreForbidden) {
  // WRITE on East's cells, READ on West's.
  std::string east = UserWithRole(
      "east", "WRITE", {{{"dimension", "Region"}, {"member", "West"}, {"access", "READ"}}});
  std::string reader = UserWithRole("reader", "READ", json::array());
  const uint64_t before = db_->last_sequence();
  const std::string body = "Region,Month,Value\nEast,Feb,1\nWest,Feb,2\n";
  HttpReply whole = Bulk(body, "", "text/csv", east);
  EXPECT_EQ(whole.status, 403) << whole.body;
  EXPECT_EQ(whole.ErrorCode(), "FORBIDDEN");
  EXPECT_EQ(whole.Json()["error"]["rejected"][0]["line"], 3);
  EXPECT_EQ(Bulk(body, "", "text/csv", reader).status, 403);
  HttpReply columnar = Bulk(R"({"columns": {"Region": ["West"], "Month": ["Feb"]}, "values": [1]})",
                            "", "application/json", reader);
  EXPECT_EQ(columnar.ErrorCode(), "FORBIDDEN");
  EXPECT_EQ(db_->last_sequence(), before);

  HttpReply skipped = Bulk(body, "?mode=skip-and-report", "text/csv", east);
  ASSERT_EQ(skipped.status, 200) << skipped.body;
  EXPECT_EQ(skipped.Json()["cells_written"], 1);
  EXPECT_EQ(skipped.Json()["rejected"][0]["code"], "FORBIDDEN");
  EXPECT_EQ(Read("East", "Feb"), 1);
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);
}

TEST_F(ServerBulkTest, LimitsOnBodyAndCells) {
  std::string big = "Region,Month,Value\n";
  while (big.size() <= (64 << 10)) big += "East,Feb,1\n";
  HttpReply over = Bulk(big);
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.ErrorCode(), "BODY_TOO_LARGE");
  std::string many = "Region,Month,Value\n";
  for (int i = 0; i < 1001; ++i) many += "East,Feb,1\n";
  HttpReply cells = Bulk(many);
  EXPECT_EQ(cells.status, 413);
  EXPECT_EQ(cells.ErrorCode(), "TOO_MANY_CELLS");
  // The small JSON write keeps its own, smaller limit (16 MiB here, not 64 KiB).
  json write = {{"cells", json::array()}};
  for (int i = 0; i < 3000; ++i) write["cells"].push_back(CellJson("East", "Feb", i));
  ASSERT_GT(write.dump().size(), size_t{64} << 10);
  EXPECT_EQ(WriteCells(write).status, 200);
}

TEST_F(ServerBulkTest, StaleExpectedSequenceIsAConflict) {
  const uint64_t seen = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", {CellJson("East", "Feb", 5)}}}).status, 200);
  HttpReply stale = Bulk("Region,Month,Value\nEast,Feb,1\nWest,Feb,2\n",
                         "?expected_sequence=" + std::to_string(seen));
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.ErrorCode(), "CONFLICT");
  EXPECT_EQ(stale.Json()["error"]["conflicts"][0]["cell"], json::parse(R"(["East", "Feb"])"));
  EXPECT_EQ(Read("East", "Feb"), 5);
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);
  // Other cells changed since are no conflict.
  HttpReply fine =
      Bulk("Region,Month,Value\nWest,Feb,2\n", "?expected_sequence=" + std::to_string(seen));
  EXPECT_EQ(fine.status, 200) << fine.body;
  EXPECT_EQ(Bulk("Region,Month,Value\nWest,Feb,2\n", "?expected_sequence=999").status, 400);
}

TEST_F(ServerBulkTest, ExportRoundTripsThroughBulkWrite) {
  ASSERT_EQ(Bulk("Region,Month,Value\n\"E\",Feb,0.1\nWest,Feb,-2.5e-7\nEast,Jan,1e300\n").status,
            200);
  for (const std::string format : {"csv", "columnar"}) {
    HttpReply exported = Export("?format=" + format);
    ASSERT_EQ(exported.status, 200) << exported.body;
    EXPECT_EQ(exported.headers["transfer-encoding"], "chunked");
    EXPECT_EQ(exported.headers["x-quantatom-sequence"], std::to_string(db_->last_sequence()));
    EXPECT_EQ(exported.headers["x-quantatom-cells"], "4");
    const std::string copy = "Copy_" + format;
    ASSERT_TRUE(db_->CreateCube(copy, {"Region", "Month"}, {"test", ""}).ok());
    HttpReply imported =
        Bulk(exported.body, "", format == "csv" ? "text/csv" : "application/json", "", copy);
    ASSERT_EQ(imported.status, 200) << imported.body;
    EXPECT_EQ(Atoms(copy), Atoms("Sales")) << exported.body;
  }
  HttpReply csv = Export("?format=csv");
  EXPECT_EQ(csv.headers["content-type"], "text/csv");
  EXPECT_EQ(csv.body.substr(0, 19), "Region,Month,Value\n");
  EXPECT_EQ(Export("?format=xml").status, 400);
}

TEST_F(ServerBulkTest, ExportOmitsUnreadableCellsAndFollowsWhere) {
  ASSERT_EQ(Bulk("Region,Month,Value\nEast,Feb,1\nWest,Feb,2\n").status, 200);
  std::string east = UserWithRole(
      "east", "READ", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}});
  HttpReply mine = Export("?format=csv", east);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Lines(mine.body), Lines("Region,Month,Value\nEast,Jan,10\nEast,Feb,1\n"));
  EXPECT_EQ(mine.body.find("West"), std::string::npos);
  // A hidden member is unknown in `where` too.
  EXPECT_EQ(Export("?where=Region:West", east).status, 404);

  HttpReply jan = Export("?where=Month:Jan");
  EXPECT_EQ(Lines(jan.body), Lines("Region,Month,Value\nEast,Jan,10\nWest,Jan,4\n"));
  json east_q1 = Export("?format=columnar&where=Region:East,Month:Q1").Json();
  EXPECT_EQ(east_q1["dimensions"], json::parse(R"(["Region", "Month"])"));
  std::set<std::string> cells;
  for (size_t i = 0; i < east_q1["values"].size(); ++i)
    cells.insert(east_q1["columns"]["Region"][i].get<std::string>() + "," +
                 east_q1["columns"]["Month"][i].get<std::string>() + "," +
                 east_q1["values"][i].dump());
  EXPECT_EQ(cells, (std::set<std::string>{"East,Jan,10", "East,Feb,1"}));
  EXPECT_EQ(Export("?where=Region:Mars").status, 404);
  EXPECT_EQ(Export("?where=Planet:Mars").status, 404);
  EXPECT_EQ(Export("?where=East").status, 400);
}

TEST_F(ServerBulkTest, BothRoutesNeedAToken) {
  EXPECT_EQ(client_
                ->Request("POST", "/api/cubes/Sales/cells/bulk", "Region,Month,Value\n", "",
                          {{"Content-Type", "text/csv"}})
                .status,
            401);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/cells/export").status, 401);
}

// Random cells written with one bulk write give the atoms the same cells
// give through the small JSON write, in either body format.
TEST_F(ServerBulkTest, BulkWriteEqualsSmallWrites) {
  std::string items = "member,parent,weight\nAll,,\n";
  for (int i = 0; i < 40; ++i) items += "I" + std::to_string(i) + ",All,1\n";
  std::string weeks = "member,parent,weight\nYear,,\n";
  for (int w = 0; w < 25; ++w) weeks += "W" + std::to_string(w) + ",Year,1\n";
  CommitContext ctx{"test", ""};
  ASSERT_TRUE(db_->CreateDimension("Item", items, ctx).ok());
  ASSERT_TRUE(db_->CreateDimension("Week", weeks, ctx).ok());
  for (int seed = 1; seed <= 6; ++seed) {
    const std::string bulk = "Bulk" + std::to_string(seed), small = "Small" + std::to_string(seed);
    ASSERT_TRUE(db_->CreateCube(bulk, {"Item", "Week"}, ctx).ok());
    ASSERT_TRUE(db_->CreateCube(small, {"Week", "Item"}, ctx).ok());
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 2; ++round) {  // the second overwrites some cells
      std::map<std::pair<int, int>, double> cells;
      while (cells.size() < 200)
        cells[{int(rng() % 40), int(rng() % 25)}] =
            std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
      std::string csv = "Week,Item,Value\n";
      json columnar = {{"columns", {{"Item", json::array()}, {"Week", json::array()}}},
                       {"values", json::array()}};
      json small_write = {{"cells", json::array()}};
      for (auto& [at, value] : cells) {
        std::string item = "I" + std::to_string(at.first), week = "W" + std::to_string(at.second);
        csv += week + "," + item + "," + json(value).dump() + "\n";
        columnar["columns"]["Item"].push_back(item);
        columnar["columns"]["Week"].push_back(week);
        columnar["values"].push_back(value);
        small_write["cells"].push_back({{"members", {week, item}}, {"value", value}});
      }
      HttpReply b = seed % 2 ? Bulk(csv, "", "text/csv", "", bulk)
                             : Bulk(columnar.dump(), "", "application/json", "", bulk);
      ASSERT_EQ(b.status, 200) << b.body;
      ASSERT_EQ(client_->Post("/api/cubes/" + small + "/cells", small_write, token_).status, 200);
    }
    AtomMap by_bulk, by_small = Atoms(small);
    for (auto& [names, value] : Atoms(bulk)) by_bulk[{names[1], names[0]}] = value;
    EXPECT_EQ(by_bulk, by_small) << "seed " << seed;
    EXPECT_GT(by_bulk.size(), 200u);
  }
}

}  // namespace
}  // namespace quantatom::testing
