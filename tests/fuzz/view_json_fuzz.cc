// libFuzzer: ParseViewJson on arbitrary bytes; a parsed view runs against a
// small fixed cube and its grid is rendered. Any Status is fine; a crash,
// an uncaught exception or a sanitizer report is not.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_model.h"
#include "quantatom/load.h"

namespace {

using namespace quantatom;
using fuzz::Check;
using fuzz::Dim;

// Region has a shared member (Oslo) and an alternate root; small view limit
// so that large selections are refused quickly.
const Cube& FixedCube() {
  static const std::shared_ptr<Cube> cube = [] {
    CubeOptions options;
    options.view_cells_max = 4096;
    auto created = Cube::Create(
        "Fuzz",
        {Dim("Version", "member,parent,weight\nActual,,\nBudget,,\n"),
         Dim("Region",
             "member,parent,weight,alias\nTotal,,,\nNorth,Total,1,N\nOslo,North,1,\n"
             "\"Acme (North), Inc.\",North,1,\nSouth,Total,1,\nRome,South,-1,\nOslo,South,0.5,\n"
             "Alt,,,\nRome,Alt,1,\n"),
         Dim("Time", "member,parent,weight\nFY,,\nQ1,FY,1\nQ2,FY,1\n")},
        options);
    Check(created.ok());
    LoadOptions quiet;
    quiet.progress = false;
    Check(LoadFactsText(**created,
                        "Version,Region,Time,Value\nActual,Oslo,Q1,1\nActual,Rome,Q2,2\n"
                        "Budget,\"Acme (North), Inc.\",Q1,1e300\nBudget,Rome,Q1,0\n",
                        "seed", quiet)
              .ok());
    return *created;
  }();
  return *cube;
}

void Run(const ViewSpec& view) {
  auto grid = FixedCube().Query(view);
  if (!grid.ok()) return;
  Check(grid->values.size() == grid->rows.size() * grid->columns.size());
  Check(!GridToJson(*grid).empty());
  Check(!GridToCompactJson(*grid).empty());
  Check(!GridToTable(*grid).empty() || grid->rows.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto view = ParseViewJson(text);
  if (!view.ok()) return 0;
  Run(*view);
  if (view->cube != "Fuzz") {  // most mutations rename the cube; look past that
    view->cube = "Fuzz";
    Run(*view);
  }
  return 0;
}
