#include "demo/demo_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

namespace quantatom {
namespace {

namespace fs = std::filesystem;
using Record = std::vector<std::string>;

const char* const kDims[] = {"Version", "Time", "Entity", "Account", "Product"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RFC 4180 records of `text` (header included); independent of the engine's loader.
std::vector<Record> ParseCsv(const std::string& text) {
  std::vector<Record> records;
  Record record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(record.empty() && field.empty() && !quoted) << "file must end with a newline";
  return records;
}

std::string Fold(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct DimInfo {
  std::set<std::string> members, parents;  // parents: members with a child
  std::map<std::string, int> parent_links;
  std::vector<Record> rows;  // without the header
  bool IsLeaf(const std::string& m) const { return members.count(m) && !parents.count(m); }
};

DimInfo ReadDim(const fs::path& dir, const std::string& name) {
  std::vector<Record> records = ParseCsv(ReadFile(dir / "dims" / (name + ".csv")));
  DimInfo info;
  info.rows.assign(records.begin() + 1, records.end());
  for (const Record& row : info.rows) {
    info.members.insert(row[0]);
    if (row[1].empty()) continue;
    info.parents.insert(row[1]);
    ++info.parent_links[row[0]];
  }
  return info;
}

class DemoModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ =
        fs::temp_directory_path() / ("qa_demo_" + std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path Write(const std::string& name, uint64_t seed) {
    fs::path dir = root_ / name;
    Result<DemoReport> report =
        WriteDemoModel(dir.string(), {.seed = seed, .entities_per_country = 1});
    EXPECT_TRUE(report.ok()) << report.status().message();
    if (report.ok()) atoms_ = report->atoms;
    return dir;
  }

  fs::path root_;
  size_t atoms_ = 0;
};

TEST_F(DemoModelTest, WritesEveryFileWithItsHeader) {
  fs::path dir = Write("m", 1);
  const std::map<std::string, std::string> headers = {
      {"dims/Version.csv", "member,parent,weight"},
      {"dims/Time.csv", "member,parent,weight"},
      {"dims/Entity.csv", "member,parent,weight,alias,alias,attr:Currency,num:Headcount"},
      {"dims/Account.csv", "member,parent,weight"},
      {"dims/Product.csv", "member,parent,weight,alias"},
      {"cubes/Finance.csv", "Version,Time,Entity,Account,Product,Value"},
  };
  for (const auto& [file, header] : headers) {
    ASSERT_TRUE(fs::is_regular_file(dir / file)) << file;
    std::string text = ReadFile(dir / file);
    EXPECT_EQ(text.substr(0, text.find('\n')), header) << file;
  }
}

TEST_F(DemoModelTest, SameSeedSameBytesOtherSeedOtherFacts) {
  fs::path a = Write("a", 1), b = Write("b", 1), c = Write("c", 2);
  for (const char* dim : kDims) {
    std::string file = std::string("dims/") + dim + ".csv";
    EXPECT_EQ(ReadFile(a / file), ReadFile(b / file)) << file;
  }
  std::string facts = ReadFile(a / "cubes/Finance.csv");
  EXPECT_EQ(facts, ReadFile(b / "cubes/Finance.csv"));
  EXPECT_NE(facts, ReadFile(c / "cubes/Finance.csv"));
}

TEST_F(DemoModelTest, FactsNameLeafMembersOnceWithTwoDecimalValues) {
  fs::path dir = Write("m", 7);
  std::vector<DimInfo> dims;
  for (const char* dim : kDims) dims.push_back(ReadDim(dir, dim));
  std::vector<Record> facts = ParseCsv(ReadFile(dir / "cubes/Finance.csv"));
  ASSERT_GT(facts.size(), 1u);
  EXPECT_EQ(facts.size() - 1, atoms_);
  std::unordered_set<std::string> coordinates;
  for (size_t i = 1; i < facts.size(); ++i) {
    const Record& row = facts[i];
    ASSERT_EQ(row.size(), 6u) << "line " << i + 1;
    for (size_t d = 0; d < 5; ++d) {
      ASSERT_TRUE(dims[d].IsLeaf(row[d])) << "line " << i + 1 << ": " << kDims[d] << " " << row[d];
    }
    std::string key =
        row[0] + '\x1f' + row[1] + '\x1f' + row[2] + '\x1f' + row[3] + '\x1f' + row[4];
    ASSERT_TRUE(coordinates.insert(key).second) << "duplicate atom at line " << i + 1;
    const std::string& value = row[5];
    ASSERT_GE(value.size(), 4u);
    EXPECT_EQ(value[value.size() - 3], '.') << value;
    double v = std::stod(value);
    EXPECT_TRUE(std::isfinite(v) && v > 0) << value;
  }
}

TEST_F(DemoModelTest, DimensionsArePreOrderWithUniqueNamesAndAliases) {
  fs::path dir = Write("m", 1);
  for (const char* name : kDims) {
    DimInfo dim = ReadDim(dir, name);
    std::vector<Record> records = ParseCsv(ReadFile(dir / "dims" / (std::string(name) + ".csv")));
    const Record& header = records[0];
    std::set<std::string> seen, folded;
    for (const Record& row : dim.rows) {
      ASSERT_EQ(row.size(), header.size()) << name << " " << row[0];
      EXPECT_TRUE(row[1].empty() || seen.count(row[1]))
          << name << ": parent after child " << row[0];
      EXPECT_TRUE(row[1].empty() ? row[2].empty() : (row[2] == "1" || row[2] == "-1")) << row[0];
      if (seen.insert(row[0]).second) {
        EXPECT_TRUE(folded.insert(Fold(row[0])).second) << name << ": duplicate " << row[0];
      }
      for (size_t c = 3; c < header.size(); ++c) {
        if (header[c] == "alias" && !row[c].empty()) {
          EXPECT_TRUE(folded.insert(Fold(row[c])).second) << name << ": duplicate alias " << row[c];
        }
      }
    }
  }
}

TEST_F(DemoModelTest, ShapesFollowPlanbench) {
  fs::path dir = Write("m", 1);
  DimInfo time = ReadDim(dir, "Time"), account = ReadDim(dir, "Account");
  DimInfo entity = ReadDim(dir, "Entity"), product = ReadDim(dir, "Product");
  auto leaves = [](const DimInfo& d) {
    return std::count_if(d.members.begin(), d.members.end(), [&](auto& m) { return d.IsLeaf(m); });
  };
  EXPECT_EQ(time.members.size(), 52u);
  EXPECT_EQ(leaves(time), 36);
  // The planbench P&L, plus Sales Commissions and Gross Margin % for the rules.
  EXPECT_EQ(account.members.size(), 70u);
  EXPECT_EQ(leaves(account), 55);
  EXPECT_EQ(leaves(entity), 40);  // 40 countries x 1 entity
  EXPECT_EQ(entity.rows[0][0], "Total Company");
  EXPECT_EQ(product.rows[0][0], "Total Product");
  for (const Record& row : account.rows) {
    bool expense = row[0] == "COGS" || row[0] == "Operating Expenses";
    if (row[1].empty()) continue;
    EXPECT_EQ(row[2], expense ? "-1" : "1") << row[0];
  }
  int shared = 0;
  for (const auto& [member, links] : product.parent_links) shared += links > 1;
  EXPECT_GT(shared, 0) << "the alternate product hierarchy shares members";
}

TEST_F(DemoModelTest, RejectsEntitiesPerCountryOutOfRange) {
  Result<DemoReport> report =
      WriteDemoModel((root_ / "m").string(), {.seed = 1, .entities_per_country = 0});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kLimitExceeded);
}

TEST_F(DemoModelTest, UnwritableDirectoryIsAnIoErrorNamingThePath) {
  fs::create_directories(root_);
  std::ofstream(root_ / "file") << "not a directory";
  std::string dir = (root_ / "file" / "model").string();
  Result<DemoReport> report = WriteDemoModel(dir, {.seed = 1, .entities_per_country = 1});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError);
  EXPECT_NE(report.status().message().find(dir), std::string::npos) << report.status().message();
}

}  // namespace
}  // namespace quantatom
