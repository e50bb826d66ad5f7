#include "util/huge_pages.h"

#include <gtest/gtest.h>

namespace quantatom {
namespace {

constexpr const char* kMadvise = "always [madvise] never";

TEST(HugePages, TheTunableIsAddedToWhatIsSet) {
  EXPECT_EQ(HugePageTunables(nullptr, nullptr, kMadvise), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(HugePageTunables("glibc.malloc.arena_max=2", nullptr, kMadvise),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  EXPECT_EQ(HugePageTunables(nullptr, "1", "[always] madvise never"), "glibc.malloc.hugetlb=1");
}

TEST(HugePages, NoRestartWhenSetDeclinedOrUnavailable) {
  // Already set (the restarted process itself, or the user's choice).
  EXPECT_EQ(HugePageTunables("glibc.malloc.hugetlb=0", nullptr, kMadvise), std::nullopt);
  EXPECT_EQ(HugePageTunables("glibc.malloc.hugetlb=1", nullptr, kMadvise), std::nullopt);
  EXPECT_EQ(HugePageTunables(nullptr, "0", kMadvise), std::nullopt);
  EXPECT_EQ(HugePageTunables(nullptr, nullptr, "always madvise [never]"), std::nullopt);
  EXPECT_EQ(HugePageTunables(nullptr, nullptr, ""), std::nullopt);  // no THP in this kernel
}

}  // namespace
}  // namespace quantatom
