// The quantatom executable end to end: exit codes, tables, JSON, errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/shell.h"

namespace {

namespace fs = std::filesystem;

using Output = quantatom::testing::ShellOutput;

// QA_BIN names the executable; by default the quantatom built beside this test.
std::string Binary() { return quantatom::testing::QuantatomBinary(); }

Output RunCli(const std::string& args) { return quantatom::testing::Shell(Binary() + " " + args); }

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("qa_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "dims");
    Write("dims/Time.csv", "member,parent,weight\nYear,,\nQ1,Year,1\nQ2,Year,1\n");
    Write("dims/Account.csv",
          "member,parent,weight,alias\nProfit,,,\nSales,Profit,1,Revenue\nCosts,Profit,-1,\n");
    Write("facts.csv", "Time,Account,Value\nQ1,Sales,100\nQ2,Sales,150\nQ1,Costs,40\nQ1,Sales,1\n");
    Write(
        "view.json",
        R"J({"cube": "planbench", "rows": {"dimension": "Account", "members": "descendants(Profit)"},
              "columns": {"dimension": "Time", "members": ["Q1", "Q2", "Year"]}})J");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  static std::string Dir() { return dir_.string(); }
  static fs::path dir_;
};

fs::path CliTest::dir_;

TEST_F(CliTest, QueryPrintsAnAlignedTableWithConsolidatedRows) {
  Output out = RunCli("query " + Dir() + " --view " + Dir() + "/view.json");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("Profit"), std::string::npos);
  EXPECT_NE(out.text.find("  Sales"), std::string::npos);  // indented by depth
  EXPECT_NE(out.text.find("61.00"), std::string::npos);    // Profit Q1 = 101 - 40
  EXPECT_NE(out.text.find("211.00"), std::string::npos);   // Profit Year
  EXPECT_NE(out.text.find("1 duplicates summed"), std::string::npos);
}

TEST_F(CliTest, QueryJsonHasNullForEmptyCells) {
  Output out = RunCli("query " + Dir() + " --view " + Dir() + "/view.json --json --compact");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("[40.0,null,40.0]"), std::string::npos) << out.text;
}

TEST_F(CliTest, SetWritesAtomicallyAndShowsTheNewGrid) {
  Output out = RunCli("set " + Dir() +
                      " --cube planbench --cell 'Q2,Revenue=10' --cell 'Q1,Costs=' --view " +
                      Dir() + "/view.json");
  ASSERT_EQ(out.code, 0) << out.text;
  EXPECT_NE(out.text.find("Q1,Costs = (empty)"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("111.00"), std::string::npos) << out.text;  // Year = 101 + 10
}

TEST_F(CliTest, WritingAConsolidatedCellFailsWithExitCode1) {
  Output out = RunCli("set " + Dir() + " --cube planbench --cell 'Year,Sales=1'");
  EXPECT_EQ(out.code, 1);
  EXPECT_NE(out.text.find("'Year' is consolidated"), std::string::npos) << out.text;
}

TEST_F(CliTest, BadViewNamesTheFieldAndExitsWith1) {
  Write(
      "bad.json",
      R"J({"cube": "planbench", "rows": {"dimension": "Account"}, "columns": {"dimension": "Time", "members": "Q1"}})J");
  Output out = RunCli("query " + Dir() + " --view " + Dir() + "/bad.json");
  EXPECT_EQ(out.code, 1);
  EXPECT_NE(out.text.find("rows.members"), std::string::npos) << out.text;
}

TEST_F(CliTest, BadFactFileNamesFileLineAndColumn) {
  fs::path bad = dir_ / "badmodel";
  fs::create_directories(bad / "dims");
  fs::copy(dir_ / "dims", bad / "dims",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  std::ofstream(bad / "facts.csv") << "Time,Account,Value\nQ1,Sales,1\nQ1,Salez,2\n";
  Output out = RunCli("load " + bad.string());
  EXPECT_EQ(out.code, 1);
  EXPECT_NE(out.text.find("facts.csv:3:4: unknown member 'Salez' of dimension 'Account'"),
            std::string::npos)
      << out.text;
}

TEST_F(CliTest, DataDirectoryWritesAreLoggedDurableAndVerified) {
  std::string data = (dir_ / "data").string();
  Output imported = RunCli("import " + data + " " + Dir());
  ASSERT_EQ(imported.code, 0) << imported.text;
  EXPECT_NE(imported.text.find("last sequence 4"), std::string::npos) << imported.text;
  Output set = RunCli("set " + data + " --cube planbench --cell 'Q2,Revenue=10' --user bob");
  ASSERT_EQ(set.code, 0) << set.text;
  EXPECT_NE(set.text.find("committed transaction 5"), std::string::npos) << set.text;
  // A new process sees the write: it came back from the log.
  Output query = RunCli("query " + data + " --view " + Dir() + "/view.json --json --compact");
  ASSERT_EQ(query.code, 0) << query.text;
  EXPECT_NE(query.text.find("[61.0,10.0,71.0]"), std::string::npos) << query.text;
  Output changes = RunCli("changes " + data + " --since 4");
  ASSERT_EQ(changes.code, 0) << changes.text;
  EXPECT_NE(changes.text.find("bob write planbench 1 deltas"), std::string::npos) << changes.text;
  EXPECT_NE(changes.text.find("Q2,Sales: 150.000000 -> 10.000000"), std::string::npos)
      << changes.text;
  ASSERT_EQ(RunCli("snapshot " + data).code, 0);
  Output verified = RunCli("verify " + data);
  ASSERT_EQ(verified.code, 0) << verified.text;
  EXPECT_NE(verified.text.find("ok: 5 transactions, 3 atoms"), std::string::npos) << verified.text;
}

TEST_F(CliTest, ImportWithItsDirectoriesSwappedChangesNothing) {
  std::string data = (dir_ / "swapped").string();
  Output swapped = RunCli("import " + Dir() + " " + data);
  EXPECT_EQ(swapped.code, 1);
  EXPECT_NE(swapped.text.find("is a model directory (it has dims/)"), std::string::npos)
      << swapped.text;
  EXPECT_FALSE(fs::exists(dir_ / "log"));
  EXPECT_FALSE(fs::exists(dir_ / "LOCK"));
  EXPECT_FALSE(fs::exists(data));
  Output no_model = RunCli("import " + data + " " + (dir_ / "nowhere").string());
  EXPECT_EQ(no_model.code, 1);
  EXPECT_NE(no_model.text.find("not a model directory (no dims/)"), std::string::npos)
      << no_model.text;
  EXPECT_FALSE(fs::exists(data));
}

TEST_F(CliTest, HistoryTimeTravelAndUndo) {
  std::string data = (dir_ / "history").string();
  ASSERT_EQ(RunCli("import " + data + " " + Dir()).code, 0);
  ASSERT_EQ(RunCli("set " + data + " --cube planbench --cell 'Q2,Revenue=10' --user bob").code, 0);
  ASSERT_EQ(RunCli("set " + data + " --cube planbench --cell 'Q2,Revenue=20' --user eve").code, 0);
  Output history = RunCli("history " + data + " --cube planbench --cell Year,Profit");
  ASSERT_EQ(history.code, 0) << history.text;
  EXPECT_NE(history.text.find("import load Q1,Costs: (empty) -> 40.000000 (weight -1)"),
            std::string::npos)
      << history.text;
  EXPECT_NE(history.text.find("#6 "), std::string::npos) << history.text;
  EXPECT_NE(history.text.find("eve write Q2,Sales: 10.000000 -> 20.000000 (weight 1)"),
            std::string::npos)
      << history.text;
  EXPECT_NE(history.text.find("5 changes"), std::string::npos) << history.text;
  const std::string view = " --view " + Dir() + "/view.json --json --compact";
  Output before = RunCli("query " + data + view + " --as-of 4");
  ASSERT_EQ(before.code, 0) << before.text;
  EXPECT_NE(before.text.find("[61.0,150.0,211.0]"), std::string::npos) << before.text;
  EXPECT_NE(RunCli("query " + data + view + " --as-of 5").text.find("[61.0,10.0,71.0]"),
            std::string::npos);
  Output later = RunCli("query " + data + view + " --at 2999-01-01T00:00:00Z");
  EXPECT_NE(later.text.find("[61.0,20.0,81.0]"), std::string::npos) << later.text;
  EXPECT_EQ(RunCli("query " + data + view + " --at yesterday").code, 1);
  EXPECT_EQ(RunCli("query " + Dir() + view + " --as-of 1").code, 1);  // a model directory
  Output undo = RunCli("undo " + data + " 6");
  ASSERT_EQ(undo.code, 0) << undo.text;
  EXPECT_NE(undo.text.find("undid #6 as #7"), std::string::npos) << undo.text;
  EXPECT_NE(RunCli("query " + data + view).text.find("[61.0,10.0,71.0]"), std::string::npos);
  // Undo compares values: #5's cell holds what #5 wrote again, until #8.
  ASSERT_EQ(RunCli("set " + data + " --cube planbench --cell 'Q2,Revenue=30'").code, 0);
  Output refused = RunCli("undo " + data + " 5");
  EXPECT_EQ(refused.code, 1) << refused.text;
  EXPECT_NE(refused.text.find("Q2,Sales"), std::string::npos) << refused.text;
}

TEST_F(CliTest, RulesAreSetFromAFileShownAndTheirCellsReadOnly) {
  std::string data = (dir_ / "rules").string();
  ASSERT_EQ(RunCli("import " + data + " " + Dir()).code, 0);
  Write("costs.rules", "leaf [Account: Costs] = [Account: Sales] * 0.5;\n");
  Write("bad.rules", "leaf [Account: Costs] = [Account: Sales] * ;\n");
  const std::string rules = "rules " + data + " --cube planbench";
  Output none = RunCli(rules);
  ASSERT_EQ(none.code, 0) << none.text;
  EXPECT_NE(none.text.find("cube planbench has no rules"), std::string::npos) << none.text;
  Output bad = RunCli(rules + " --set " + Dir() + "/bad.rules");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.text.find("bad.rules: line 1, column 44: "), std::string::npos) << bad.text;
  EXPECT_NE(bad.text.find("\n" + std::string(43, ' ') + "^"), std::string::npos) << bad.text;
  // Q1's stored Costs lie in cells the rule computes: deleted only when asked.
  Output in_the_way = RunCli(rules + " --set " + Dir() + "/costs.rules");
  EXPECT_EQ(in_the_way.code, 1) << in_the_way.text;
  Output set = RunCli(rules + " --set " + Dir() + "/costs.rules --delete-data");
  ASSERT_EQ(set.code, 0) << set.text;
  EXPECT_NE(set.text.find("set as transaction 5, 1 stored atoms deleted"), std::string::npos)
      << set.text;
  EXPECT_NE(set.text.find("line 1: leaf rule [Account: Costs], 2 derived atoms"), std::string::npos)
      << set.text;
  Output shown = RunCli(rules);
  ASSERT_EQ(shown.code, 0) << shown.text;
  EXPECT_NE(shown.text.find("leaf [Account: Costs] = [Account: Sales] * 0.5;"), std::string::npos)
      << shown.text;
  // Profit = Sales - Sales / 2: Q1 101 - 50.5, Q2 150 - 75, computed again by a new process.
  Output query = RunCli("query " + data + " --view " + Dir() + "/view.json --json --compact");
  ASSERT_EQ(query.code, 0) << query.text;
  EXPECT_NE(query.text.find("[50.5,75.0,125.5]"), std::string::npos) << query.text;
  Output write = RunCli("set " + data + " --cube planbench --cell 'Q2,Costs=5'");
  EXPECT_EQ(write.code, 1) << write.text;
  EXPECT_NE(write.text.find("the leaf rule at line 1"), std::string::npos) << write.text;
  ASSERT_EQ(RunCli("verify " + data).code, 0);
}

TEST_F(CliTest, UsageErrorsExitWith2) {
  EXPECT_EQ(RunCli("").code, 2);
  EXPECT_EQ(RunCli("query").code, 2);
  EXPECT_EQ(RunCli("frobnicate").code, 2);
  EXPECT_EQ(RunCli("--help").code, 0);
}

}  // namespace
