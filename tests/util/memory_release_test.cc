#include "util/memory_release.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace quantatom {
namespace {

TEST(MemoryRelease, DiscardsWholePagesInsideTheBufferOnly) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t total = 20 << 20, offset = 100, bytes = (16 << 20) + 7;
  char* base = static_cast<char*>(std::aligned_alloc(page, total));
  ASSERT_NE(base, nullptr);
  std::memset(base, 1, total);
  ReleasePagesGently(base + offset, bytes);
  // The partial first and last pages keep their bytes (an allocator's
  // headers live there), the whole pages between read as zero.
  EXPECT_EQ(base[offset], 1);
  EXPECT_EQ(base[page - 1], 1);
  EXPECT_EQ(base[page], 0);
  EXPECT_EQ(base[offset + bytes / 2], 0);
  const size_t last_page = (offset + bytes) / page * page;
  EXPECT_EQ(base[last_page - 1], 0);
  EXPECT_EQ(base[last_page], 1);
  EXPECT_EQ(base[offset + bytes], 1);
  std::free(base);
}

TEST(MemoryRelease, LeavesSmallBuffersAloneAndEmptiesContainers) {
  std::vector<char> small(1 << 20, 1);
  ReleasePagesGently(small.data(), small.size());
  EXPECT_EQ(small[small.size() / 2], 1);
  std::vector<double> large(4 << 20, 2.5);
  ReleaseGently(large);
  EXPECT_TRUE(large.empty());
  EXPECT_EQ(large.capacity(), 0u);
}

}  // namespace
}  // namespace quantatom
