// Transparent huge pages for the heap: the large buffers of a version copy,
// a load or a snapshot cost more in 4 KiB page faults than in their work.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace quantatom {

// glibc backs malloc with transparent huge pages only when told so at
// start-up (GLIBC_TUNABLES=glibc.malloc.hugetlb=1). Called first in main():
// starts this program again with that tunable added, the same arguments
// and the same process id; returns only when that is not wanted (see
// HugePageTunables) or the exec failed.
void StartWithHugePageHeap(char** argv);

// The GLIBC_TUNABLES value to start again with, given the current one
// (nullptr: unset), QA_HUGE_PAGES (nullptr: unset; "0" declines) and the
// kernel's transparent_hugepage/enabled line ("always [madvise] never").
// nullopt: start as we are (already set, declined, or the kernel's
// huge pages are "never").
std::optional<std::string> HugePageTunables(const char* tunables, const char* asked,
                                            std::string_view kernel_modes);

}  // namespace quantatom
