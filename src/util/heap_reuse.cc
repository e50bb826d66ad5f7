#include "util/heap_reuse.h"

#include <malloc.h>

namespace quantatom {

bool KeepFreedBuffersForReuse() {
  // Setting either fixes it: glibc no longer adjusts it as it goes.
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(kReusedBufferBytesMax)) == 1 &&
         mallopt(M_TRIM_THRESHOLD, static_cast<int>(kHeapKeptBytesMax)) == 1;
}

}  // namespace quantatom
