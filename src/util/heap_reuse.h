// Keeping freed buffers of a few megabytes for the next operation.
//
// glibc returns a freed block above its mmap threshold to the kernel and
// raises the threshold only as it learns; a spread, a copy or an
// allocation frees buffers of a few MB each time, so the next one takes
// every page fault again (a quarter of a 125,000-leaf spread's time here).
#pragma once

#include <cstddef>

namespace quantatom {

// Buffers up to kReusedBufferBytesMax come from the heap and stay there
// when freed, up to kHeapKeptBytesMax of free space at its top. Larger ones
// are still mapped and unmapped (ReleasePagesGently frees those gently).
inline constexpr size_t kReusedBufferBytesMax = size_t{32} << 20;
inline constexpr size_t kHeapKeptBytesMax = size_t{256} << 20;

// Called first in main(). Returns false when the allocator refused (a
// sanitizer's allocator ignores it).
bool KeepFreedBuffersForReuse();

}  // namespace quantatom
