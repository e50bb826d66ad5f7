// A model directory (docs/formats.md) imported as logged transactions: one
// per dimension, one per cube and one per fact file.
#include <algorithm>
#include <filesystem>

#include "load/csv.h"
#include "load/file.h"
#include "quantatom/database.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

Result<std::vector<std::string>> HeaderDimensions(const std::string& path) {
  QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  CsvReader csv(file.text(), path);
  std::vector<CsvField> fields;
  Status status;
  if (!csv.Next(fields, status)) return Status::Invalid(path + ": empty file, expected a header");
  QA_RETURN_IF_ERROR(status);
  std::vector<std::string> dims;
  for (size_t i = 0; i + 1 < fields.size(); ++i) dims.push_back(fields[i].text);
  return dims;
}

Status ImportCube(Database& db, const std::string& cube, const std::string& path,
                  const CommitContext& ctx) {
  QA_ASSIGN_OR_RETURN(std::vector<std::string> dims, HeaderDimensions(path));
  QA_RETURN_IF_ERROR(db.CreateCube(cube, dims, ctx).status());
  return db.LoadFacts(cube, path, ctx).status();
}

}  // namespace

Status Database::ImportModelDirectory(const std::string& dir, const CommitContext& ctx) {
  auto dims = CsvFilesIn(fs::path(dir) / "dims");
  if (dims.empty()) return Status::NotFound(dir + ": no dims/*.csv files");
  for (const fs::path& path : dims) {
    QA_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path.string()));
    QA_RETURN_IF_ERROR(
        CreateDimension(path.stem().string(), std::string(file.text()), ctx).status());
  }
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "facts.csv", ec))
    QA_RETURN_IF_ERROR(ImportCube(*this, "planbench", (fs::path(dir) / "facts.csv").string(), ctx));
  for (const fs::path& path : CsvFilesIn(fs::path(dir) / "cubes"))
    QA_RETURN_IF_ERROR(ImportCube(*this, path.stem().string(), path.string(), ctx));
  // rules/<Cube>.rules: each cube's rules, as one transaction each.
  for (const fs::path& path : FilesIn(fs::path(dir) / "rules", ".rules")) {
    QA_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path.string()));
    auto set = SetRules(path.stem().string(), text, /*delete_data=*/false, ctx);
    if (!set.ok())
      return Status(set.status().code(), path.string() + ": " + set.status().message());
  }
  return Status::Ok();
}

}  // namespace quantatom
