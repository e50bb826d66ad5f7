// A read-only file mapped into memory for the loaders; unmapped on
// destruction so its pages leave the process.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/status.h"

namespace quantatom {

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();

  std::string_view text() const { return {data_, size_}; }

 private:
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  const char* data_;
  size_t size_;
};

// The files directly in `dir` whose name ends in `extension` (".csv"),
// sorted by name (none when it is missing).
std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir,
                                           std::string_view extension);
inline std::vector<std::filesystem::path> CsvFilesIn(const std::filesystem::path& dir) {
  return FilesIn(dir, ".csv");
}

// A whole text file (rules files are small).
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace quantatom
