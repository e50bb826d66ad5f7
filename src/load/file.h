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

// The *.csv files directly in `dir`, sorted by name (none when it is missing).
std::vector<std::filesystem::path> CsvFilesIn(const std::filesystem::path& dir);

}  // namespace quantatom
