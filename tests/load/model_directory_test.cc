// LoadModelDirectory: dims/*.csv, facts.csv and cubes/*.csv (docs/formats.md).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "quantatom/load.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

constexpr std::string_view kVersion = "member,parent,weight\nActual,,\nBudget,,\n";
constexpr std::string_view kEntity =
    "member,parent,weight,alias\nTotal,,,\nEast,Total,1,E\nWest,Total,1,\n";

class ModelDirectory : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "model_directory_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Write("dims/Version.csv", kVersion);
    Write("dims/Entity.csv", kEntity);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& relative, std::string_view text) {
    fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  std::string Path(const std::string& relative = "") const { return (dir_ / relative).string(); }

  Result<std::unique_ptr<Model>> Load(const LoadOptions& base = {}, LoadReport* report = nullptr) {
    LoadOptions options = base;
    options.progress = false;
    return LoadModelDirectory(dir_.string(), options, report);
  }

  static std::optional<double> Cell(const Cube& cube, std::vector<std::string> names) {
    auto c = cube.Resolve(names);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    auto v = cube.ReadCell(*c);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }

  fs::path dir_;
};

TEST_F(ModelDirectory, FactsCsvBecomesCubePlanbenchInHeaderOrder) {
  Write("facts.csv", "Entity,Version,Value\nEast,Actual,1\nWest,Actual,2\nE,Actual,3\n");
  LoadReport report;
  auto model = Load({}, &report);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ((*model)->dimensions().size(), 2u);
  EXPECT_EQ((*model)->dimensions()[0]->name(), "Entity");  // dims load in file-name order
  EXPECT_EQ((*model)->dimensions()[1]->name(), "Version");
  ASSERT_EQ((*model)->cubes().size(), 1u);
  auto cube = (*model)->FindCube("PLANBENCH");
  ASSERT_NE(cube, nullptr);
  EXPECT_EQ(cube->name(), "planbench");
  ASSERT_EQ(cube->dimensions().size(), 2u);
  EXPECT_EQ(cube->dimensions()[0]->name(), "Entity");
  EXPECT_EQ(cube->dimensions()[1]->name(), "Version");
  EXPECT_EQ(Cell(*cube, {"Total", "Actual"}), 6.0);
  EXPECT_EQ(report.rows, 3u);
  EXPECT_EQ(report.atoms, 2u);
  EXPECT_EQ(report.duplicates, 1u);
}

TEST_F(ModelDirectory, FactsCubeOptionNamesTheCube) {
  Write("facts.csv", "Version,Entity,Value\nActual,East,1\n");
  LoadOptions options;
  options.facts_cube = "Finance";
  auto model = Load(options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->FindCube("planbench"), nullptr);
  ASSERT_NE((*model)->FindCube("Finance"), nullptr);
}

TEST_F(ModelDirectory, EveryCubesFileBecomesACubeNamedAfterIt) {
  Write("facts.csv", "Version,Entity,Value\nActual,East,1\n");
  Write("cubes/Sales.csv", "Version,Entity,Value\nBudget,West,5\nBudget,East,1\n");
  Write("cubes/Headcount.csv", "Entity,Value\nWest,12\n");
  Write("cubes/notes.txt", "not a cube");
  Write("dims/README.md", "not a dimension");
  LoadReport report;
  auto model = Load({}, &report);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ((*model)->cubes().size(), 3u);
  EXPECT_EQ((*model)->cubes()[0]->name(), "planbench");  // facts.csv first, then cubes/ by name
  EXPECT_EQ((*model)->cubes()[1]->name(), "Headcount");
  EXPECT_EQ((*model)->cubes()[2]->name(), "Sales");
  EXPECT_EQ((*model)->dimensions().size(), 2u);
  EXPECT_EQ(Cell(*(*model)->FindCube("Sales"), {"Budget", "Total"}), 6.0);
  EXPECT_EQ(Cell(*(*model)->FindCube("Headcount"), {"Total"}), 12.0);
  EXPECT_EQ(report.rows, 4u);
  EXPECT_EQ(report.atoms, 4u);
}

TEST_F(ModelDirectory, CubesWithoutFactsCsvAreEnough) {
  Write("cubes/Sales.csv", "Version,Value\nActual,1\n");
  auto model = Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->cubes().size(), 1u);
}

TEST_F(ModelDirectory, MissingDimsDirectoryIsRejected) {
  fs::remove_all(dir_ / "dims");
  Write("facts.csv", "Version,Value\nActual,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(model.status().message(), dir_.string() + ": no dims/*.csv files"));
}

TEST_F(ModelDirectory, DimsDirectoryWithoutCsvFilesIsRejected) {
  fs::remove_all(dir_ / "dims");
  Write("dims/Version.txt", kVersion);
  Write("facts.csv", "Version,Value\nActual,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(), "no dims/*.csv files"));
}

TEST_F(ModelDirectory, NoFactsAndNoCubesIsRejected) {
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(model.status().message(), "no facts.csv and no cubes/*.csv"));
}

TEST_F(ModelDirectory, NotADirectoryIsAnIoError) {
  auto model = LoadModelDirectory(Path("missing"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(model.status().message(), Path("missing")));
}

TEST_F(ModelDirectory, ErrorInOneDimensionFileNamesThatFile) {
  Write("dims/Entity.csv", "member,parent,weight\nTotal,,\nEast,Nowhere,1\n");
  Write("facts.csv", "Version,Value\nActual,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(),
                       Path("dims/Entity.csv") + ":3:6: unknown parent 'Nowhere'"));
}

TEST_F(ModelDirectory, CycleInDimensionFileNamesFileAndDimension) {
  Write("dims/Entity.csv", "member,parent,weight\nA,B,1\nB,A,1\n");
  Write("facts.csv", "Version,Value\nActual,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(
      Contains(model.status().message(), Path("dims/Entity.csv") + ": dimension 'Entity': cycle"));
}

TEST_F(ModelDirectory, ErrorInOneCubeFileNamesThatFileAndReturnsNoModel) {
  Write("cubes/A.csv", "Version,Value\nActual,1\n");
  Write("cubes/B.csv", "Version,Entity,Value\nActual,East,1\nActual,Total,2\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(
      Contains(model.status().message(),
               Path("cubes/B.csv") + ":3:8: member 'Total' of dimension 'Entity' is consolidated"));
}

TEST_F(ModelDirectory, HeaderNamingAMissingDimensionFileIsRejected) {
  Write("facts.csv", "Version,Product,Value\nActual,Laptop,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(model.status().message(),
                       Path("facts.csv") + ":1:9: no dimension 'Product' in dims/"));
}

TEST_F(ModelDirectory, HeaderNamingADimensionTwiceIsRejected) {
  Write("facts.csv", "Version,version,Value\nActual,Budget,1\n");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(), Path("facts.csv")));
  EXPECT_TRUE(Contains(model.status().message(), "twice"));
}

TEST_F(ModelDirectory, EmptyFactsFileIsRejected) {
  Write("facts.csv", "");
  auto model = Load();
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(), Path("facts.csv") + ": empty file"));
}

}  // namespace
}  // namespace quantatom
