#include "util/memory_release.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace quantatom {

void ReleasePagesGently(const void* data, size_t bytes) {
  constexpr size_t kSmall = size_t{8} << 20;  // one unmap of this much is quick
  constexpr size_t kPiece = size_t{2} << 20;
  if (bytes < kSmall) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  // Whole pages only: the partial first page may hold the allocator's
  // header, the partial last one the next block's.
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(page - 1);
  for (uintptr_t at = begin; at < end; at += kPiece)
    (void)madvise(reinterpret_cast<void*>(at), std::min<uintptr_t>(kPiece, end - at),
                  MADV_DONTNEED);  // best effort: a failure leaves the work to free()
}

}  // namespace quantatom
