// LoadFactsText: the facts format of docs/formats.md, all-or-nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/load.h"

namespace quantatom {
namespace {

constexpr std::string_view kFile = "m/cubes/Finance.csv";
constexpr std::string_view kHeader = "Version,Entity,Time,Value\n";

testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::shared_ptr<const Dimension> Dim(std::string name, std::string_view csv) {
  auto dim = ParseDimensionCsv(csv, std::move(name), "test");
  EXPECT_TRUE(dim.ok()) << dim.status().ToString();
  return *dim;
}

// Version: 2 leaves; Entity: 4 leaves under Total; Time: 2 months under FY2024.
std::shared_ptr<Cube> MakeCube() {
  auto cube = Cube::Create(
      "Finance",
      {Dim("Version", "member,parent,weight\nActual,,\nBudget,,\n"),
       Dim("Entity",
           "member,parent,weight,alias\nTotal,,,\nEast,Total,1,E\n"
           "\"Acme Co., Ltd.\",Total,1,ACME\n\"Say \"\"Hi\"\" Inc\",Total,1,\nWest,Total,1,\n"),
       Dim("Time", "member,parent,weight\nFY2024,,\n2024-01,FY2024,1\n2024-02,FY2024,1\n")});
  EXPECT_TRUE(cube.ok()) << cube.status().ToString();
  return *cube;
}

using Atoms = std::map<std::vector<LeafOrdinal>, double>;

Atoms AtomsOf(const Cube& cube) {
  Atoms atoms;
  cube.ForEachAtom([&](const AtomRef& a) {
    atoms.emplace(std::vector<LeafOrdinal>(a.leaves.begin(), a.leaves.end()), a.value);
  });
  EXPECT_EQ(atoms.size(), cube.Stats().atoms);
  return atoms;
}

std::optional<double> Cell(const Cube& cube, std::vector<std::string> names) {
  auto c = cube.Resolve(names);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto v = cube.ReadCell(*c);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return *v;
}

LoadOptions Quiet() {
  LoadOptions options;
  options.progress = false;
  return options;
}

Result<LoadReport> Load(Cube& cube, std::string_view text) {
  return LoadFactsText(cube, text, kFile, Quiet());
}

TEST(FactsCsv, LoadsQuotedNamesCrlfBlankLinesAliasesAndAnyCase) {
  auto cube = MakeCube();
  auto report = Load(*cube,
                     "\r\nVERSION,entity,Time,value\r\n"
                     "Actual,East,2024-01,10\r\n"
                     "\r\n"
                     "actual,\"Acme Co., Ltd.\",2024-01,-2.5\r\n"
                     "Budget,\"Say \"\"Hi\"\" Inc\",2024-02,1e3\r\n"
                     "\n"
                     "budget,e,2024-02,.5\n"
                     "Budget,acme,2024-02,7");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 5u);
  EXPECT_EQ(report->atoms, 5u);
  EXPECT_EQ(report->duplicates, 0u);
  EXPECT_EQ(cube->Stats().atoms, 5u);
  EXPECT_EQ(Cell(*cube, {"Actual", "East", "2024-01"}), 10.0);
  EXPECT_EQ(Cell(*cube, {"Actual", "Acme Co., Ltd.", "2024-01"}), -2.5);
  EXPECT_EQ(Cell(*cube, {"Budget", "Say \"Hi\" Inc", "2024-02"}), 1000.0);
  EXPECT_EQ(Cell(*cube, {"Budget", "East", "2024-02"}), 0.5);
  EXPECT_EQ(Cell(*cube, {"Budget", "Total", "FY2024"}), 1007.5);
  EXPECT_EQ(Cell(*cube, {"Actual", "West", "2024-01"}), std::nullopt);
}

// A watcher may stop a long parse: it is asked before each chunk and every
// 4,096 lines.
TEST(FactsCsv, AParseStopsWhenItIsCancelledAndOnlyThen) {
  auto cube = MakeCube();
  std::string text = "Version,Entity,Time,Value\n";
  for (int i = 0; i < 300'000; ++i) text += "Actual,East,2024-01,1\n";
  std::atomic<int> asked{0};
  LoadOptions options = Quiet();
  options.cancelled = [&] { return ++asked > 1; };
  auto stopped = ParseFactsText(*cube, text, kFile, options);
  EXPECT_EQ(stopped.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stopped.status().message().find("cancelled"), std::string::npos);
  EXPECT_GE(asked.load(), 2);
  options.cancelled = [] { return false; };
  auto whole = ParseFactsText(*cube, text, kFile, options);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->atoms.keys.size(), 300'000u);
}

TEST(FactsCsv, HeaderColumnsMayComeInAnyOrder) {
  auto cube = MakeCube();
  auto report = Load(*cube, "Time,Entity,Version,Value\n2024-02,West,Budget,3\n");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Cell(*cube, {"Budget", "West", "2024-02"}), 3.0);
}

TEST(FactsCsv, DuplicateCoordinatesAreSummedAndCounted) {
  auto cube = MakeCube();
  auto report = Load(*cube, std::string(kHeader) +
                                "Actual,East,2024-01,1\nActual,West,2024-01,5\n"
                                "actual,E,2024-01,2\nActual,East,2024-01,4\n");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 4u);
  EXPECT_EQ(report->atoms, 2u);
  EXPECT_EQ(report->duplicates, 2u);
  EXPECT_EQ(Cell(*cube, {"Actual", "East", "2024-01"}), 7.0);
}

TEST(FactsCsv, SecondLoadReplacesValuesAtTheSameCoordinates) {
  auto cube = MakeCube();
  ASSERT_TRUE(
      Load(*cube, std::string(kHeader) + "Actual,East,2024-01,1\nActual,West,2024-01,5\n").ok());
  auto report =
      Load(*cube, std::string(kHeader) + "Actual,East,2024-01,4\nBudget,East,2024-01,9\n");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Cell(*cube, {"Actual", "East", "2024-01"}), 4.0);
  EXPECT_EQ(Cell(*cube, {"Actual", "West", "2024-01"}), 5.0);
  EXPECT_EQ(Cell(*cube, {"Budget", "East", "2024-01"}), 9.0);
  EXPECT_EQ(Cell(*cube, {"Actual", "Total", "FY2024"}), 9.0);
  EXPECT_EQ(cube->Stats().atoms, 3u);
}

// Disabled until LoadFactsText/Cube::BulkLoad check the summed values: today
// the two rows fold into one atom holding inf.
TEST(FactsCsv, DuplicatesSummingPastTheLargestDoubleAreRejected) {
  auto cube = MakeCube();
  auto report =
      Load(*cube, std::string(kHeader) + "Actual,East,2024-01,1e308\nActual,E,2024-01,1e308\n");
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(cube->Stats().atoms, 0u);
}

TEST(FactsCsv, HeaderOnlyLoadsNothing) {
  auto cube = MakeCube();
  auto report = Load(*cube, "Version,Entity,Time,Value");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 0u);
  EXPECT_EQ(cube->Stats().atoms, 0u);
}

struct BadInput {
  const char* what;
  std::string text;
  std::vector<std::string> expected;  // substrings of the message
};

// Every case starts with a valid row, so a partial load would be visible.
std::vector<BadInput> BadInputs() {
  const std::string h(kHeader);
  const std::string ok = h + "Budget,West,2024-02,100\n";
  const std::string f(kFile);
  return {
      {"unknown member",
       ok + "Actual,Nowhere,2024-01,2\n",
       {f + ":3:8: unknown member 'Nowhere' of dimension 'Entity'"}},
      {"unknown member after blank CRLF lines",
       h + "\r\nActual,East,2024-01,1\r\n\r\n2024-01,East,Actual,2\r\n",
       {f + ":5:1: unknown member '2024-01' of dimension 'Version'"}},
      {"quoted unknown member",
       ok + "Actual,\"Acme, Inc.\",2024-01,2\n",
       {f + ":3:8: unknown member 'Acme, Inc.' of dimension 'Entity'"}},
      {"consolidated member",
       ok + "Actual,East,FY2024,1\n",
       {f + ":3:13: member 'FY2024' of dimension 'Time' is consolidated"}},
      {"non-numeric value", ok + "Actual,East,2024-01,ten\n", {f + ":3:21: value 'ten'"}},
      {"empty value", ok + "Actual,East,2024-01,\n", {f + ":3:21: value ''"}},
      {"inf value", ok + "Actual,East,2024-01,inf\n", {f + ":3:21: value 'inf'"}},
      {"nan value", ok + "Actual,East,2024-01,nan\n", {f + ":3:21: value 'nan'"}},
      {"overflowing value", ok + "Actual,East,2024-01,1e999\n", {f + ":3:21: value '1e999'"}},
      {"leading plus", ok + "Actual,East,2024-01,+5\n", {f + ":3:21: value '+5'"}},
      {"space in value", ok + "Actual,East,2024-01, 5\n", {f + ":3:21: value ' 5'"}},
      {"quoted value with comma",
       ok + "Actual,East,2024-01,\"1,000\"\n",
       {f + ":3:21: value '1,000'"}},
      {"too few fields", ok + "Actual,East,1\n", {f + ":3:1: expected 4 fields, found 3"}},
      {"too many fields",
       ok + "Actual,East,2024-01,1,000\n",
       {f + ":3:1: expected 4 fields, found 5"}},
      {"header naming an unknown dimension",
       "Version,Region,Time,Value\nActual,East,2024-01,1\n",
       {f + ":1:9: cube 'Finance' has no dimension 'Region'"}},
      {"header missing Value",
       "Version,Entity,Time\nActual,East,2024-01\n",
       {f + ":1:1: header must name the 3 dimensions of cube 'Finance' and then Value"}},
      {"header with another last column",
       "Version,Entity,Time,Amount\nActual,East,2024-01,1\n",
       {f + ":1:1: header must name the 3 dimensions"}},
      {"dimension twice in header",
       "Version,Entity,version,Value\nActual,East,Budget,1\n",
       {f + ":1:16: dimension 'version' appears twice"}},
      {"empty file", "", {f + ": empty file"}},
      {"blank lines only", "\r\n\n", {f + ": empty file"}},
      {"malformed quote in header",
       "Version,\"Entity,Time,Value\n",
       {f + ":1:9: unterminated quoted field"}},
      {"unterminated quote", ok + "Actual,\"East,2024-01,1\n", {f + ":3:", "quote"}},
      {"quote inside unquoted field", ok + "Actual,Ea\"st,2024-01,1\n", {f + ":3:", "quote"}},
  };
}

TEST(FactsCsv, EveryRejectionNamesPositionAndLeavesTheCubeUnchanged) {
  for (bool preloaded : {false, true}) {
    for (const BadInput& bad : BadInputs()) {
      SCOPED_TRACE(std::string(bad.what) + (preloaded ? " (into a cube with data)" : ""));
      auto cube = MakeCube();
      if (preloaded) {
        ASSERT_TRUE(
            Load(*cube, std::string(kHeader) + "Actual,East,2024-01,1\nBudget,West,2024-02,2\n")
                .ok());
      }
      Atoms before = AtomsOf(*cube);
      auto total = Cell(*cube, {"Budget", "Total", "FY2024"});
      auto report = Load(*cube, bad.text);
      ASSERT_FALSE(report.ok());
      for (const std::string& part : bad.expected)
        EXPECT_TRUE(Contains(report.status().message(), part));
      EXPECT_EQ(AtomsOf(*cube), before);
      EXPECT_EQ(Cell(*cube, {"Budget", "Total", "FY2024"}), total);
    }
  }
}

// Disabled until SplitLine passes on the CsvReader's column: today a malformed
// quote in a fact row is always reported at column 1.
TEST(FactsCsv, MalformedQuoteColumnPointsAtTheQuote) {
  auto cube = MakeCube();
  auto report = Load(*cube, std::string(kHeader) + "Actual,\"East,2024-01,1\n");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.status().message(), std::string(kFile) + ":2:8:"));
  report = Load(*cube, std::string(kHeader) + "Actual,Ea\"st,2024-01,1\n");
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.status().message(), std::string(kFile) + ":2:10:"));
}

// Rows cycling over every leaf coordinate; > 12 MB so several chunks run in parallel.
struct BigInput {
  std::string text;
  size_t rows = 0;
};

BigInput MakeBigInput(size_t rows) {
  static const char* kVersions[] = {"Actual", "Budget"};
  static const char* kEntities[] = {"East", "\"Acme Co., Ltd.\"", "West", "E"};
  static const char* kMonths[] = {"2024-01", "2024-02"};
  BigInput in;
  in.text.reserve(rows * 34 + 32);
  in.text += kHeader;
  for (size_t i = 0; i < rows; ++i) {
    in.text += kVersions[i % 2];
    in.text += ',';
    in.text += kEntities[(i / 2) % 4];
    in.text += ',';
    in.text += kMonths[(i / 8) % 2];
    in.text += i % 3 == 0 ? ",0.5\n" : ",1\n";
  }
  in.rows = rows;
  return in;
}

constexpr size_t kBigRows = 600'000;

// Replaces row `row` (0-based, after the header) with `replacement`; returns its file line.
size_t ReplaceRow(std::string& text, size_t row, std::string_view replacement) {
  size_t start = text.find('\n') + 1;
  for (size_t i = 0; i < row; ++i) start = text.find('\n', start) + 1;
  size_t end = text.find('\n', start);
  text.replace(start, end - start, replacement);
  return row + 2;
}

TEST(FactsCsv, BigInputLoadsInParallelChunks) {
  BigInput in = MakeBigInput(kBigRows);
  ASSERT_GT(in.text.size(), 12u << 20);
  auto cube = MakeCube();
  auto report = Load(*cube, in.text);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, kBigRows);
  EXPECT_EQ(report->atoms, 12u);  // 2 versions x 3 distinct entities x 2 months
  EXPECT_EQ(report->rows, report->atoms + report->duplicates);
  EXPECT_EQ(report->bytes, in.text.size());
  // Row i holds 0.5 when i % 3 == 0, else 1.
  const double total = kBigRows - (kBigRows + 2) / 3 * 0.5;
  EXPECT_EQ(Cell(*cube, {"Actual", "Total", "FY2024"}).value() +
                Cell(*cube, {"Budget", "Total", "FY2024"}).value(),
            total);
}

// Loads `text` into a cube holding data and expects the error at `line`.
void ExpectBigFailure(const std::string& text, size_t line, std::string_view what) {
  auto cube = MakeCube();
  ASSERT_TRUE(Load(*cube, std::string(kHeader) + "Actual,West,2024-01,42\n").ok());
  Atoms before = AtomsOf(*cube);
  auto report = Load(*cube, text);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(
      Contains(report.status().message(), std::string(kFile) + ":" + std::to_string(line) + ":"));
  EXPECT_TRUE(Contains(report.status().message(), what));
  EXPECT_EQ(AtomsOf(*cube), before);
}

TEST(FactsCsv, ErrorNearTheEndOfBigInputHasExactLine) {
  BigInput in = MakeBigInput(kBigRows);
  size_t line = ReplaceRow(in.text, kBigRows - 7, "Actual,Mars,2024-01,1");
  ExpectBigFailure(in.text, line, "unknown member 'Mars'");
}

// A failing chunk stops only the chunks after it, so the line counts of the
// chunks before it are whole.
TEST(FactsCsv, ErrorAtTheStartOfTheLastChunkHasExactLine) {
  BigInput in = MakeBigInput(kBigRows);
  // The last of three chunks starts after the first line break past 2/3 of the body.
  size_t line = ReplaceRow(in.text, kBigRows * 2 / 3 + 3, "Actual,East,2024-01,oops");
  ExpectBigFailure(in.text, line, "value 'oops'");
}

// Chunks before a failing one run to their end, so an earlier error wins.
TEST(FactsCsv, FirstErrorWinsWhenSeveralChunksFail) {
  BigInput in = MakeBigInput(kBigRows);
  size_t line = ReplaceRow(in.text, kBigRows / 4, "Actual,Venus,2024-01,1");
  ReplaceRow(in.text, kBigRows * 2 / 3 + 3, "Actual,Mars,2024-01,1");
  ExpectBigFailure(in.text, line, "unknown member 'Venus'");
}

}  // namespace
}  // namespace quantatom
