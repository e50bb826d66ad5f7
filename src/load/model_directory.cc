// A model directory: dims/*.csv, then facts.csv and cubes/*.csv.
#include <algorithm>
#include <filesystem>

#include "load/csv.h"
#include "load/file.h"
#include "quantatom/load.h"
#include "quantatom/rules.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

// Creates the cube named by a facts file's header and loads the file into it.
Status LoadCube(Model& model, const std::string& cube_name, const fs::path& path,
                const LoadOptions& options, LoadReport* total) {
  QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path.string()));
  CsvReader csv(file.text(), path.native());  // a view: must outlive csv
  std::vector<CsvField> header;
  Status status;
  if (!csv.Next(header, status))
    return Status::Invalid(path.string() + ": empty file, expected a header");
  QA_RETURN_IF_ERROR(status);
  std::vector<std::shared_ptr<const Dimension>> dims;
  for (size_t i = 0; i + 1 < header.size(); ++i) {
    auto dim = model.FindDimension(header[i].text);
    if (!dim)
      return Status::NotFound(csv.Where(header[i].column) + ": no dimension '" + header[i].text +
                              "' in dims/");
    dims.push_back(std::move(dim));
  }
  auto cube = Cube::Create(cube_name, std::move(dims));
  if (!cube.ok())
    return Status(cube.status().code(), path.string() + ": " + cube.status().message());
  QA_ASSIGN_OR_RETURN(LoadReport report,
                      LoadFactsText(**cube, file.text(), path.string(), options));
  total->rows += report.rows;
  total->atoms += report.atoms;
  total->duplicates += report.duplicates;
  total->bytes += report.bytes;
  return model.AddCube(std::move(*cube));
}

}  // namespace

Result<std::unique_ptr<Model>> LoadModelDirectory(const std::string& dir,
                                                  const LoadOptions& options, LoadReport* report) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Io(dir + ": not a directory");
  auto dim_files = CsvFilesIn(fs::path(dir) / "dims");
  if (dim_files.empty()) return Status::NotFound(dir + ": no dims/*.csv files");
  auto model = std::make_unique<Model>();
  for (const fs::path& path : dim_files) {
    QA_ASSIGN_OR_RETURN(auto dim, LoadDimensionFile(path.string()));
    QA_RETURN_IF_ERROR(model->AddDimension(std::move(dim)));
  }
  LoadReport total;
  fs::path facts = fs::path(dir) / "facts.csv";
  if (fs::exists(facts, ec))
    QA_RETURN_IF_ERROR(LoadCube(*model, options.facts_cube, facts, options, &total));
  for (const fs::path& path : CsvFilesIn(fs::path(dir) / "cubes"))
    QA_RETURN_IF_ERROR(LoadCube(*model, path.stem().string(), path, options, &total));
  if (model->cubes().empty()) return Status::NotFound(dir + ": no facts.csv and no cubes/*.csv");
  for (const fs::path& path : FilesIn(fs::path(dir) / "rules", ".rules")) {
    QA_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path.string()));
    Status set = SetRules(*model, path.stem().string(), std::move(text));
    if (!set.ok()) return Status(set.code(), path.string() + ": " + set.message());
  }
  if (report) *report = total;
  return model;
}

}  // namespace quantatom
