// Loading dimensions and facts from the planbench CSV format
// (docs/formats.md). Every load is all-or-nothing: on any error the model
// and cube stay as they were and the Status names file, line and column.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "quantatom/cube.h"
#include "quantatom/dimension.h"
#include "quantatom/model.h"
#include "quantatom/status.h"

namespace quantatom {

struct LoadOptions {
  // Cube name for a model directory's top-level facts.csv.
  std::string facts_cube = "planbench";
  // Progress on stderr for loads over a second; only when it is a terminal.
  bool progress = true;
};

struct LoadReport {
  size_t rows = 0;        // fact rows read
  size_t atoms = 0;       // distinct atoms written
  size_t duplicates = 0;  // rows summed into an earlier row's atom
  size_t bytes = 0;       // input bytes
};

// `text` is the whole CSV (header member,parent,weight[,alias...][,attr...]);
// `file` names it in error messages.
Result<std::shared_ptr<const Dimension>> ParseDimensionCsv(std::string_view text,
                                                           std::string dimension_name,
                                                           std::string_view file);
Result<std::shared_ptr<const Dimension>> LoadDimensionFile(const std::string& path);

// Facts parsed but not yet applied: packed keys (Cube::PackLeaves) and
// values, duplicates not yet summed.
struct ParsedFacts {
  Cube::BulkAtoms atoms;
  size_t bytes = 0;
};
Result<ParsedFacts> ParseFactsText(const Cube& cube, std::string_view text, std::string_view file,
                                   const LoadOptions& options = {});

// Facts: header `<dim>,...,<dim>,Value` naming the cube's dimensions.
Result<LoadReport> LoadFactsText(Cube& cube, std::string_view text, std::string_view file,
                                 const LoadOptions& options = {});
Result<LoadReport> LoadFactsFile(Cube& cube, const std::string& path,
                                 const LoadOptions& options = {});

// A model directory: dims/<Dimension>.csv, then facts.csv (cube
// options.facts_cube) and/or cubes/<Cube>.csv.
Result<std::unique_ptr<Model>> LoadModelDirectory(const std::string& dir,
                                                  const LoadOptions& options = {},
                                                  LoadReport* report = nullptr);

}  // namespace quantatom
