// Data-driven rule cases: each file in tests/rules/cases holds a small
// model, rules, writes and the grids expected after them (the format is at
// the top of cases/units_price.case). After every rules and write step the
// derived atoms are also checked against a full recalculation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "quantatom/load.h"
#include "quantatom/rules.h"
#include "rules/install.h"
#include "view/selection.h"

namespace quantatom {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(Trim(part));
  if (!s.empty() && s.back() == sep) out.push_back("");  // getline drops a last empty field
  return out;
}

// "Dim: a, b" -> (Dim, [a, b]); members may hold ", " only inside ( ).
std::pair<std::string, std::vector<std::string>> Axis(const std::string& line) {
  size_t colon = line.find(':');
  std::vector<std::string> members;
  std::string rest = line.substr(colon + 1), term;
  int depth = 0;
  for (char c : rest) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      members.push_back(Trim(term));
      term.clear();
    } else {
      term += c;
    }
  }
  members.push_back(Trim(term));
  return {Trim(line.substr(0, colon)), members};
}

// Derived atoms of every cube, by cube and key.
std::map<std::pair<std::string, uint64_t>, double> Derived(const Model& model) {
  std::map<std::pair<std::string, uint64_t>, double> out;
  for (const auto& cube : model.cubes()) {
    auto all = cube->CopyAtoms({}, false);
    auto stored = cube->CopyAtoms({}, true);
    std::set<uint64_t> kept(stored.keys.begin(), stored.keys.end());
    for (size_t i = 0; i < all.keys.size(); ++i)
      if (!kept.count(all.keys[i])) out[{cube->name(), all.keys[i]}] = all.values[i];
  }
  return out;
}

class CaseRunner {
 public:
  explicit CaseRunner(std::string file) : file_(std::move(file)) {}

  void Run() {
    std::ifstream in(file_);
    ASSERT_TRUE(in) << file_;
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      line = Trim(line);
      if (line.empty() || line[0] == '#') continue;
      SCOPED_TRACE(file_ + ":" + std::to_string(line_no_));
      std::string word = line.substr(0, line.find(' '));
      std::string arg = line.size() > word.size() ? Trim(line.substr(word.size())) : "";
      std::vector<std::string> body = Body(in);
      if (word == "dimension") {
        std::string csv;
        for (auto& b : body) csv += b + "\n";
        auto dim = ParseDimensionCsv(csv, arg, arg);
        ASSERT_TRUE(dim.ok()) << dim.status().ToString();
        ASSERT_TRUE(model_.AddDimension(*dim).ok());
      } else if (word == "cube") {
        ASSERT_NO_FATAL_FAILURE(Cube(arg, body));
      } else if (word == "rules") {
        std::string text;
        for (auto& b : body) text += b + "\n";
        Status s = SetRules(model_, arg, text);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_NO_FATAL_FAILURE(CheckIncremental());
      } else if (word == "refused") {
        ASSERT_NO_FATAL_FAILURE(Refused(arg, body));
      } else if (word == "write") {
        ASSERT_NO_FATAL_FAILURE(Write(arg, body));
        ASSERT_NO_FATAL_FAILURE(CheckIncremental());
      } else if (word == "write-refused") {
        ASSERT_NO_FATAL_FAILURE(WriteRefused(arg, body));
      } else if (word == "grid") {
        ASSERT_NO_FATAL_FAILURE(Grid(arg, body));
      } else {
        FAIL() << "unknown section '" << word << "'";
      }
    }
  }

 private:
  std::string file_;
  size_t line_no_ = 0;
  Model model_;

  std::vector<std::string> Body(std::ifstream& in) {
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      if (Trim(line) == "end") return out;
      out.push_back(line);
    }
    ADD_FAILURE() << file_ << ": a section without 'end'";
    return out;
  }

  // cube NAME: DIM, DIM; the body holds facts (with their header), if any.
  void Cube(const std::string& arg, const std::vector<std::string>& body) {
    auto [name, dim_names] = Axis(arg);
    std::vector<std::shared_ptr<const Dimension>> dims;
    for (const auto& d : dim_names) {
      dims.push_back(model_.FindDimension(d));
      ASSERT_TRUE(dims.back()) << d;
    }
    auto cube = Cube::Create(name, dims);
    ASSERT_TRUE(cube.ok()) << cube.status().ToString();
    if (!body.empty()) {
      std::string text;
      for (auto& b : body) text += b + "\n";
      auto loaded = LoadFactsText(**cube, text, name);
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    }
    ASSERT_TRUE(model_.AddCube(*cube).ok());
  }

  // refused CUBE CODE: the first body line is "message: <substring>".
  void Refused(const std::string& arg, const std::vector<std::string>& body) {
    auto parts = Split(arg, ' ');
    ASSERT_EQ(parts.size(), 2u) << "refused CUBE CODE";
    ASSERT_FALSE(body.empty());
    const std::string expected = Trim(body[0].substr(body[0].find(':') + 1));
    std::string text;
    for (size_t i = 1; i < body.size(); ++i) text += body[i] + "\n";
    Status s = SetRules(model_, parts[0], text);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(StatusCodeName(s.code()), parts[1]) << s.ToString();
    EXPECT_NE(s.message().find(expected), std::string::npos)
        << "message: " << s.message() << "\nexpected: " << expected;
  }

  // "m1, m2, m3 = value" (empty value: clear), one batch.
  void Write(const std::string& cube_name, const std::vector<std::string>& body) {
    WriteBatch batch;
    ASSERT_NO_FATAL_FAILURE(Batch(cube_name, body, batch));
    Status s = WriteWithRules(model_, cube_name, batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // write-refused CUBE CODE: "message: <substring>", then the batch.
  void WriteRefused(const std::string& arg, const std::vector<std::string>& body) {
    auto parts = Split(arg, ' ');
    ASSERT_EQ(parts.size(), 2u) << "write-refused CUBE CODE";
    ASSERT_FALSE(body.empty());
    const std::string expected = Trim(body[0].substr(body[0].find(':') + 1));
    WriteBatch batch;
    ASSERT_NO_FATAL_FAILURE(
        Batch(parts[0], std::vector<std::string>(body.begin() + 1, body.end()), batch));
    Status s = WriteWithRules(model_, parts[0], batch);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(StatusCodeName(s.code()), parts[1]) << s.ToString();
    EXPECT_NE(s.message().find(expected), std::string::npos)
        << "message: " << s.message() << "\nexpected: " << expected;
  }

  void Batch(const std::string& cube_name, const std::vector<std::string>& body,
             WriteBatch& batch) {
    auto cube = model_.FindCube(cube_name);
    ASSERT_TRUE(cube);
    for (const auto& b : body) {
      size_t eq = b.rfind('=');
      auto names = Split(b.substr(0, eq), ',');
      auto c = cube->Resolve(names);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      std::string value = Trim(b.substr(eq + 1));
      if (value.empty()) {
        batch.Clear(*c);
      } else {
        batch.Set(*c, std::stod(value));
      }
    }
  }

  void CheckIncremental() {
    auto incremental = Derived(model_);
    ASSERT_TRUE(rules::InstallRules(model_).ok());
    EXPECT_EQ(Derived(model_), incremental) << "incremental recalculation differs from a full one";
  }

  // grid CUBE; body: "rows Dim: ...", "columns Dim: ...", optional
  // "context Dim: m", then "label | v | v ..." per row.
  void Grid(const std::string& cube_name, const std::vector<std::string>& body) {
    ViewSpec view;
    view.cube = cube_name;
    std::vector<std::vector<std::string>> expected;
    for (const auto& raw : body) {
      std::string line = Trim(raw);
      if (line.rfind("rows ", 0) == 0) {
        auto [d, m] = Axis(line.substr(5));
        view.rows.push_back({d, m});
      } else if (line.rfind("columns ", 0) == 0) {
        auto [d, m] = Axis(line.substr(8));
        view.columns.push_back({d, m});
      } else if (line.rfind("context ", 0) == 0) {
        for (const auto& pair : Split(line.substr(8), ';')) {
          auto [d, m] = Axis(pair);
          view.context.emplace_back(d, m[0]);
        }
      } else {
        expected.push_back(Split(line, '|'));
      }
    }
    auto cube = model_.FindCube(cube_name);
    ASSERT_TRUE(cube);
    auto grid = cube->Query(view);
    ASSERT_TRUE(grid.ok()) << grid.status().ToString();
    ASSERT_EQ(grid->rows.size(), expected.size());
    for (size_t r = 0; r < expected.size(); ++r) {
      ASSERT_EQ(expected[r].size(), grid->columns.size() + 1) << "row " << expected[r][0];
      for (size_t c = 0; c < grid->columns.size(); ++c) {
        const std::string& want = expected[r][c + 1];
        const auto& got = grid->at(r, c);
        SCOPED_TRACE("row " + expected[r][0] + ", column " + std::to_string(c + 1));
        if (want.empty()) {
          EXPECT_FALSE(got.has_value()) << *got;
        } else {
          ASSERT_TRUE(got.has_value()) << "expected " << want;
          const double w = std::stod(want);
          EXPECT_NEAR(*got, w, 1e-9 * std::max(1.0, std::fabs(w)));
        }
      }
    }
  }
};

TEST(RuleCases, EveryCaseFileGivesItsGrids) {
  const std::filesystem::path dir = std::filesystem::path(QA_SOURCE_DIR) / "tests/rules/cases";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".case") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    CaseRunner(f).Run();
  }
}

}  // namespace
}  // namespace quantatom
