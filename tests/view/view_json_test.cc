// ParseViewJson, Cube::Query and the grid renderings (quantatom/view.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/load.h"

namespace quantatom {
namespace {

testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::string ParseError(std::string_view json) {
  auto view = ParseViewJson(json);
  EXPECT_FALSE(view.ok()) << "accepted: " << json;
  if (view.ok()) return "";
  EXPECT_EQ(view.status().code(), StatusCode::kInvalidArgument);
  return view.status().message();
}

TEST(ViewJson, ParsesEveryField) {
  auto view = ParseViewJson(R"j({
    "cube": "Finance",
    "rows": [{"dimension": "Version", "members": ["Actual", "Budget"]},
             {"dimension": "Region", "members": "descendants(Total)", "order": "parents_last"}],
    "columns": {"dimension": "Time", "members": ["leaves(FY)"], "order": "parents_first"},
    "context": {"Account": "Revenue", "Scenario": "Base"},
    "suppress_empty": {"rows": true, "columns": false}
  })j");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->cube, "Finance");
  ASSERT_EQ(view->rows.size(), 2u);
  EXPECT_EQ(view->rows[0].dimension, "Version");
  EXPECT_EQ(view->rows[0].members, (std::vector<std::string>{"Actual", "Budget"}));
  EXPECT_EQ(view->rows[0].order, HierarchyOrder::kParentsFirst);
  EXPECT_EQ(view->rows[1].members, (std::vector<std::string>{"descendants(Total)"}));
  EXPECT_EQ(view->rows[1].order, HierarchyOrder::kParentsLast);
  ASSERT_EQ(view->columns.size(), 1u);
  EXPECT_EQ(view->columns[0].dimension, "Time");
  EXPECT_EQ(view->columns[0].order, HierarchyOrder::kParentsFirst);
  ASSERT_EQ(view->context.size(), 2u);
  EXPECT_EQ(view->context[0], (std::pair<std::string, std::string>{"Account", "Revenue"}));
  EXPECT_EQ(view->context[1], (std::pair<std::string, std::string>{"Scenario", "Base"}));
  EXPECT_TRUE(view->suppress_empty_rows);
  EXPECT_FALSE(view->suppress_empty_columns);
}

TEST(ViewJson, SuppressEmptyAsBooleanSetsBoth) {
  auto view =
      ParseViewJson(R"j({"cube":"C","rows":{"dimension":"A","members":"a"},)j"
                    R"j("columns":{"dimension":"B","members":"b"},"suppress_empty":true})j");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_TRUE(view->suppress_empty_rows);
  EXPECT_TRUE(view->suppress_empty_columns);
  EXPECT_TRUE(view->context.empty());
}

TEST(ViewJson, ErrorsNameTheJsonPath) {
  const std::string axes =
      R"j("rows":{"dimension":"A","members":"a"},"columns":{"dimension":"B","members":"b"})j";
  struct Case {
    std::string json, expected;
  };
  const Case cases[] = {
      {"[]", "view: (top): expected an object"},
      {R"j({"rows":{"dimension":"A","members":"a"},"columns":{"dimension":"B","members":"b"}})j",
       "view: cube: missing"},
      {R"j({"cube":1,)j" + axes + "}", "view: cube: expected a string"},
      {R"j({"cube":"C","columns":{"dimension":"B","members":"b"}})j", "view: rows: missing"},
      {R"j({"cube":"C","rows":{"dimension":"A","members":"a"}})j", "view: columns: missing"},
      {R"j({"cube":"C",)j" + axes + R"j(,"colour":"red"})j", "view: colour: unknown field"},
      {R"j({"cube":"C","rows":[],"columns":{"dimension":"B","members":"b"}})j",
       "view: rows: expected an object or a non-empty array"},
      {R"j({"cube":"C","rows":"A","columns":{"dimension":"B","members":"b"}})j",
       "view: rows: expected an object or a non-empty array"},
      {R"j({"cube":"C","rows":[{"dimension":"A","members":[]}],"columns":{"dimension":"B","members":"b"}})j",
       "view: rows[0].members: expected a member term or a non-empty array"},
      {R"j({"cube":"C","rows":[{"dimension":"A","members":"a"},{"dimension":"D","members":["d",7]}],)j"
       R"j("columns":{"dimension":"B","members":"b"}})j",
       "view: rows[1].members[1]: expected a string"},
      {R"j({"cube":"C","rows":[{"dimension":"A","members":"a"},{"members":"d"}],)j"
       R"j("columns":{"dimension":"B","members":"b"}})j",
       "view: rows[1].dimension: missing"},
      {R"j({"cube":"C","rows":{"dimension":"A"},"columns":{"dimension":"B","members":"b"}})j",
       "view: rows.members: missing"},
      {R"j({"cube":"C","rows":{"dimension":"A","members":"a"},"columns":[{"dimension":2,"members":"b"}]})j",
       "view: columns[0].dimension: expected a string"},
      {R"j({"cube":"C","rows":{"dimension":"A","members":"a"},"columns":{"dimension":"B","members":"b","order":"up"}})j",
       "view: columns.order: expected \"parents_first\" or \"parents_last\""},
      {R"j({"cube":"C","rows":{"dimension":"A","members":"a","level":1},"columns":{"dimension":"B","members":"b"}})j",
       "view: rows.level: unknown field"},
      {R"j({"cube":"C","rows":["A"],"columns":{"dimension":"B","members":"b"}})j",
       "view: rows[0]: expected an object"},
      {R"j({"cube":"C",)j" + axes + R"j(,"context":["A"]})j", "view: context: expected an object"},
      {R"j({"cube":"C",)j" + axes + R"j(,"context":{"Account":3}})j",
       "view: context.Account: expected a member name"},
      {R"j({"cube":"C",)j" + axes + R"j(,"suppress_empty":"yes"})j",
       "view: suppress_empty: expected a boolean"},
      {R"j({"cube":"C",)j" + axes + R"j(,"suppress_empty":{"rows":1}})j",
       "view: suppress_empty.rows: expected a boolean"},
      {R"j({"cube":"C",)j" + axes + R"j(,"suppress_empty":{"cells":true}})j",
       "view: suppress_empty.cells: unknown field"},
  };
  for (const Case& c : cases) EXPECT_TRUE(Contains(ParseError(c.json), c.expected)) << c.json;
}

TEST(ViewJson, MalformedJsonReportsWhere) {
  std::string m = ParseError("{\"cube\": \"C\",\n \"rows\": }");
  EXPECT_TRUE(Contains(m, "view: malformed JSON"));
  EXPECT_TRUE(Contains(m, "line 2, column 10"));
  EXPECT_TRUE(Contains(ParseError(""), "view: malformed JSON"));
  EXPECT_TRUE(Contains(ParseError("{\"cube\":\"C\"} trailing"), "view: malformed JSON"));
}

TEST(ViewJson, NumberOverflowIsMalformedJsonNotACrash) {
  std::string m = ParseError(R"j({"cube":"C","suppress_empty":1e999})j");
  EXPECT_TRUE(Contains(m, "view: malformed JSON"));
  EXPECT_TRUE(Contains(m, "number overflow"));
}

// Region: Total > North (Oslo, Bergen), South (Rome); Time: FY > Q1, Q2; Version: Actual, Budget.
std::shared_ptr<Cube> MakeCube(CubeOptions options = {}) {
  auto dim = [](std::string name, std::string_view csv) {
    auto d = ParseDimensionCsv(csv, std::move(name), "test");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return *d;
  };
  auto cube = Cube::Create(
      "Finance",
      {dim("Version", "member,parent,weight\nActual,,\nBudget,,\n"),
       dim("Region",
           "member,parent,weight\nTotal,,\nNorth,Total,1\nOslo,North,1\nBergen,North,1\n"
           "South,Total,1\nRome,South,1\n"),
       dim("Time", "member,parent,weight\nFY,,\nQ1,FY,1\nQ2,FY,1\n")},
      options);
  EXPECT_TRUE(cube.ok()) << cube.status().ToString();
  LoadOptions quiet;
  quiet.progress = false;
  auto loaded = LoadFactsText(**cube,
                              "Version,Region,Time,Value\nActual,Oslo,Q1,1\nActual,Bergen,Q1,2\n"
                              "Actual,Rome,Q2,4\nBudget,Oslo,Q1,10\nBudget,Bergen,Q2,0\n",
                              "facts.csv", quiet);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return *cube;
}

Result<Grid> Query(const Cube& cube, std::string_view json) {
  auto view = ParseViewJson(json);
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  if (!view.ok()) return view.status();
  return cube.Query(*view);
}

// Row headers as "A/B" and values as text ("-" when empty), for compact checks.
std::vector<std::string> Rows(const Grid& grid) {
  std::vector<std::string> out;
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    std::string line;
    for (const HeaderMember& h : grid.rows[r]) line += (line.empty() ? "" : "/") + h.name;
    for (size_t c = 0; c < grid.columns.size(); ++c) {
      const auto& v = grid.at(r, c);
      line += " " + (v ? std::to_string(static_cast<long long>(*v)) : std::string("-"));
    }
    out.push_back(line);
  }
  return out;
}

TEST(CubeQuery, NestedRowAxesCrossJoinWithLastDimensionFastest) {
  auto grid = Query(*MakeCube(), R"j({"cube":"finance",
      "rows":[{"dimension":"Version","members":["Actual","Budget"]},
              {"dimension":"Region","members":"children(Total)"}],
      "columns":{"dimension":"Time","members":"members()"}})j");
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(grid->cube, "Finance");
  EXPECT_EQ(grid->row_dimensions, (std::vector<std::string>{"Version", "Region"}));
  EXPECT_EQ(grid->column_dimensions, (std::vector<std::string>{"Time"}));
  ASSERT_EQ(grid->columns.size(), 3u);
  EXPECT_EQ(grid->columns[1][0].name, "Q1");
  EXPECT_EQ(grid->columns[1][0].depth, 1);
  EXPECT_TRUE(grid->columns[1][0].leaf);
  EXPECT_FALSE(grid->columns[0][0].leaf);
  EXPECT_EQ(Rows(*grid), (std::vector<std::string>{"Actual/North 3 3 -", "Actual/South 4 - 4",
                                                   "Budget/North 10 10 0", "Budget/South - - -"}));
}

TEST(CubeQuery, SuppressEmptyRowsAndColumns) {
  const char* view = R"j({"cube":"Finance","rows":{"dimension":"Region","members":"leaves(Total)"},
      "columns":{"dimension":"Time","members":["Q1","Q2"]},"context":{"Version":"Budget"},
      "suppress_empty":%s})j";
  char json[512];
  std::snprintf(json, sizeof json, view, "false");
  auto all = Query(*MakeCube(), json);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Rows(*all), (std::vector<std::string>{"Oslo 10 -", "Bergen - 0", "Rome - -"}));
  std::snprintf(json, sizeof json, view, R"j({"rows":true})j");
  auto rows = Query(*MakeCube(), json);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(Rows(*rows), (std::vector<std::string>{"Oslo 10 -", "Bergen - 0"}));
  std::snprintf(json, sizeof json, view, R"j({"columns":true})j");
  auto columns = Query(*MakeCube(), json);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  EXPECT_EQ(columns->columns.size(), 2u);  // a stored zero is not empty
  std::snprintf(json, sizeof json, view, "true");
  auto both = Query(*MakeCube(), json);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(Rows(*both), (std::vector<std::string>{"Oslo 10 -", "Bergen - 0"}));
}

TEST(CubeQuery, ContextDefaultsToTheFirstRoot) {
  auto cube = MakeCube();
  const char* base = R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Total"},
      "columns":{"dimension":"Time","members":"FY"})j";
  auto actual = Query(*cube, std::string(base) + "}");
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  EXPECT_EQ(actual->at(0, 0), 7.0);
  auto budget = Query(*cube, std::string(base) + R"j(,"context":{"version":"budget"}})j");
  ASSERT_TRUE(budget.ok()) << budget.status().ToString();
  EXPECT_EQ(budget->at(0, 0), 10.0);
}

TEST(CubeQuery, RejectsBadDimensionsMembersAndCube) {
  auto cube = MakeCube();
  struct Case {
    std::string json, expected;
    StatusCode code;
  };
  const std::string cols = R"j("columns":{"dimension":"Time","members":"FY"})j";
  const Case cases[] = {
      {R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Total"},)j"
       R"j("columns":{"dimension":"region","members":"North"}})j",
       "view: dimension 'Region' is used twice (columns)", StatusCode::kInvalidArgument},
      {R"j({"cube":"Finance","rows":[{"dimension":"Region","members":"Total"},)j"
       R"j({"dimension":"Region","members":"North"}],)j" +
           cols + "}",
       "view: dimension 'Region' is used twice (rows)", StatusCode::kInvalidArgument},
      {R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Total"},)j" + cols +
           R"j(,"context":{"Time":"Q1"}})j",
       "view: dimension 'Time' is used twice (context)", StatusCode::kInvalidArgument},
      {R"j({"cube":"Finance","rows":{"dimension":"Product","members":"Total"},)j" + cols + "}",
       "view: cube 'Finance' has no dimension 'Product' (rows)", StatusCode::kNotFound},
      {R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Total"},)j" + cols +
           R"j(,"context":{"Scenario":"Base"}})j",
       "view: cube 'Finance' has no dimension 'Scenario' (context)", StatusCode::kNotFound},
      {R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Total"},)j" + cols +
           R"j(,"context":{"Version":"Forecast"}})j",
       "view: unknown member 'Forecast' of dimension 'Version' (context)", StatusCode::kNotFound},
      {R"j({"cube":"Finance","rows":{"dimension":"Region","members":"Mars"},)j" + cols + "}",
       "unknown member 'Mars' of dimension 'Region'", StatusCode::kNotFound},
      {R"j({"cube":"Sales","rows":{"dimension":"Region","members":"Total"},)j" + cols + "}",
       "view: names cube 'Sales', not 'Finance'", StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    auto grid = Query(*cube, c.json);
    ASSERT_FALSE(grid.ok()) << c.json;
    EXPECT_EQ(grid.status().code(), c.code) << grid.status().ToString();
    EXPECT_TRUE(Contains(grid.status().message(), c.expected));
  }
}

TEST(CubeQuery, ViewLargerThanViewCellsMaxIsRefused) {
  CubeOptions options;
  options.view_cells_max = 8;
  auto cube = MakeCube(options);
  const char* fits = R"j({"cube":"Finance","rows":{"dimension":"Region","members":"leaves(Total)"},
      "columns":{"dimension":"Time","members":["Q1","Q2"]}})j";
  EXPECT_TRUE(Query(*cube, fits).ok());  // 3 x 2
  auto grid =
      Query(*cube, R"j({"cube":"Finance","rows":{"dimension":"Region","members":"members()"},
      "columns":{"dimension":"Time","members":["Q1","Q2"]}})j");
  ASSERT_FALSE(grid.ok());
  EXPECT_EQ(grid.status().code(), StatusCode::kLimitExceeded);
  EXPECT_TRUE(Contains(grid.status().message(), "view: 6 x 2 cells exceed the limit of 8"));
}

// Disabled until RunQuery multiplies axis sizes without wrapping: today
// 65536^4 row tuples wrap to 0 and the view answers an empty grid.
TEST(CubeQuery, ViewWhoseTupleCountOverflowsIsRefused) {
  std::vector<std::shared_ptr<const Dimension>> dims;
  ViewSpec view;
  view.cube = "Wide";
  for (int d = 0; d < 4; ++d) {
    DimensionBuilder builder("D" + std::to_string(d));
    builder.AddMember("Top");
    for (int i = 0; i < 65535; ++i) builder.AddLink("m" + std::to_string(i), "Top");
    auto dim = std::move(builder).Build();
    ASSERT_TRUE(dim.ok()) << dim.status().ToString();
    dims.push_back(*dim);
    view.rows.push_back({dims.back()->name(), {"members()"}});
  }
  auto cube = Cube::Create("Wide", dims);
  ASSERT_TRUE(cube.ok()) << cube.status().ToString();
  auto grid = (*cube)->Query(view);
  ASSERT_FALSE(grid.ok()) << grid->rows.size() << " rows";
  EXPECT_EQ(grid.status().code(), StatusCode::kLimitExceeded);
}

TEST(GridFormat, RenderingsShowNullForEmptyAndZeroForZero) {
  auto grid = Query(*MakeCube(), R"j({"cube":"Finance",
      "rows":{"dimension":"Region","members":"descendants(North)"},
      "columns":{"dimension":"Time","members":["Q1","Q2"]},"context":{"Version":"Budget"}})j");
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(GridToCompactJson(*grid),
            R"j({"rows":["North","Oslo","Bergen"],"columns":["Q1","Q2"],)j"
            R"j("values":[[10.0,0.0],[10.0,null],[null,0.0]]})j");
  EXPECT_EQ(
      GridToJson(*grid),
      R"j({"cube":"Finance","row_dimensions":["Region"],"column_dimensions":["Time"],)j"
      R"j("rows":[[{"name":"North","depth":1,"leaf":false}],[{"name":"Oslo","depth":2,"leaf":true}],)j"
      R"j([{"name":"Bergen","depth":2,"leaf":true}]],)j"
      R"j("columns":[[{"name":"Q1","depth":1,"leaf":true}],[{"name":"Q2","depth":1,"leaf":true}]],)j"
      R"j("values":[[10.0,0.0],[10.0,null],[null,0.0]]})j");
  EXPECT_EQ(GridToTable(*grid),
            "Region         Q1    Q2\n"
            "  North     10.00  0.00\n"
            "    Oslo    10.00      \n"
            "    Bergen         0.00\n");
}

TEST(GridFormat, CompactJsonWritesNestedHeadersAsArrays) {
  auto grid = Query(*MakeCube(), R"j({"cube":"Finance",
      "rows":[{"dimension":"Version","members":"Actual"},{"dimension":"Region","members":"South"}],
      "columns":[{"dimension":"Time","members":"FY"}]})j");
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(GridToCompactJson(*grid),
            R"j({"rows":[["Actual","South"]],"columns":["FY"],"values":[[4.0]]})j");
}

TEST(GridFormat, TableGroupsThousandsAndKeepsSigns) {
  Grid grid;
  grid.cube = "C";
  grid.row_dimensions = {"R"};
  grid.column_dimensions = {"C"};
  grid.rows = {{{"a", 0, 0, true}}, {{"b", 1, 0, true}}};
  grid.columns = {{{"x", 2, 0, true}}};
  grid.values = {1234567.891, -0.001};
  EXPECT_EQ(GridToTable(grid),
            "R             x\n"
            "a  1,234,567.89\n"
            "b          0.00\n");
}

TEST(GridFormat, TableShowsHugeAndNonFiniteValues) {
  Grid grid;
  grid.cube = "C";
  grid.row_dimensions = {"R"};
  grid.column_dimensions = {"C"};
  grid.rows = {{{"a", 0, 0, true}}, {{"b", 1, 0, true}}, {{"c", 2, 0, true}}};
  grid.columns = {{{"x", 3, 0, true}}};
  grid.values = {1e300, -1e100, std::numeric_limits<double>::infinity()};
  std::string table;
  ASSERT_NO_THROW(table = GridToTable(grid));
  EXPECT_TRUE(Contains(table, "a  1,000,000,000,000,000,"));
  EXPECT_TRUE(Contains(table, " -10,000,000,000,000,000,"));
  EXPECT_TRUE(Contains(table, " inf\n"));
}

}  // namespace
}  // namespace quantatom
