#include "support/shell.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace quantatom::testing {

ShellOutput Shell(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  ShellOutput out{-1, ""};
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.text.append(buf.data(), n);
  int status = pclose(p);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string QuantatomBinary() {
  if (const char* bin = std::getenv("QA_BIN")) return bin;
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "quantatom").string();
}

}  // namespace quantatom::testing
