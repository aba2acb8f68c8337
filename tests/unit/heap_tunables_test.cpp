// The glibc tunables sio-server starts with: each added unless GLIBC_TUNABLES names it already.

#include "app/heap_tunables.hpp"

#include <gtest/gtest.h>

namespace sio::app {
namespace {

TEST(HeapTunables, adds_huge_pages_and_a_larger_free_block_cache) {
  EXPECT_EQ(with_heap_tunables(""), "glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=64");
  EXPECT_EQ(with_heap_tunables("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=64");
}

TEST(HeapTunables, leaves_a_tunable_that_is_named_as_it_is) {
  EXPECT_EQ(with_heap_tunables("glibc.malloc.hugetlb=0"),
            "glibc.malloc.hugetlb=0:glibc.malloc.tcache_count=64");
  EXPECT_EQ(with_heap_tunables("glibc.malloc.tcache_count=7"),
            "glibc.malloc.tcache_count=7:glibc.malloc.hugetlb=1");
  // Both named: nothing to add, so the server is not started again.
  const std::string both = "glibc.malloc.tcache_count=7:glibc.malloc.hugetlb=0";
  EXPECT_EQ(with_heap_tunables(both), both);
}

TEST(HeapTunables, tells_a_tunable_from_one_whose_name_it_begins) {
  // glibc.malloc.tcache_count_max is not glibc.malloc.tcache_count; a name without "=" sets
  // nothing.
  EXPECT_EQ(with_heap_tunables("glibc.malloc.tcache_count_max=1:glibc.malloc.hugetlb"),
            "glibc.malloc.tcache_count_max=1:glibc.malloc.hugetlb:glibc.malloc.hugetlb=1:"
            "glibc.malloc.tcache_count=64");
}

}  // namespace
}  // namespace sio::app
