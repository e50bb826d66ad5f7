#include "util/huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace quantatom {
namespace {

constexpr std::string_view kTunable = "glibc.malloc.hugetlb=1";

// A sanitizer's allocator ignores glibc's tunables.
constexpr bool kSanitizerOwnsMalloc =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace

std::optional<std::string> HugePageTunables(const char* tunables, const char* asked,
                                            std::string_view kernel_modes) {
  if (asked && std::string_view(asked) == "0") return std::nullopt;
  const std::string current = tunables ? tunables : "";
  if (current.find("glibc.malloc.hugetlb") != std::string::npos) return std::nullopt;
  if (kernel_modes.empty() || kernel_modes.find("[never]") != std::string_view::npos)
    return std::nullopt;
  return current.empty() ? std::string(kTunable) : current + ":" + std::string(kTunable);
}

void StartWithHugePageHeap(char** argv) {
  if (kSanitizerOwnsMalloc) return;
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(in, modes);
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string before = tunables ? tunables : "";
  std::optional<std::string> wanted =
      HugePageTunables(tunables, std::getenv("QA_HUGE_PAGES"), modes);
  // The file itself, not /proc/self/exe: the process is named after it.
  char self[4096];
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (!wanted || length <= 0) return;
  self[length] = '\0';
  if (::setenv("GLIBC_TUNABLES", wanted->c_str(), 1) != 0) return;
  ::execv(self, argv);
  // The exec failed: go on as we are.
  if (tunables)
    ::setenv("GLIBC_TUNABLES", before.c_str(), 1);
  else
    ::unsetenv("GLIBC_TUNABLES");
}

}  // namespace quantatom
