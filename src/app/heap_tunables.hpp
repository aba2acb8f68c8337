#pragma once
// sio-server's heap, set up for a server: glibc reads its tunables only when a process starts, so
// sio-server starts itself again, once, in place (a variable set for the new image only says it
// was), with these added to GLIBC_TUNABLES:
//  - glibc.malloc.hugetlb=1 (glibc ≥ 2.35): the heap is marked MADV_HUGEPAGE. What a server keeps
//    grows its heap (the recovery log holds every broadcast for its window, two minutes by
//    default), and while it grows each new 4 KiB page costs a page fault: 512 times fewer.
//  - glibc.malloc.tcache_count=64: each thread keeps up to 64 freed blocks of each size at hand,
//    instead of 7. Broadcasts come in bursts (what one read from Redis or from a client brings)
//    and are freed together once written, a few blocks each; past the seventh of a size, each
//    free and the next allocation go through glibc's bins, several hundred instructions more.
//    At most 64 blocks of each of glibc's 64 cached sizes (up to 1 KiB) per thread stay kept.
//
// A tunable GLIBC_TUNABLES names already (whatever its value: 0 opts out of huge pages, 7 keeps
// glibc's cache) is left as it is; when it names both, nothing happens. Nothing happens either
// under a sanitizer (it brings its own allocator) or when the program cannot be started again (no
// /proc): the server then runs as it is. With the kernel's transparent huge pages set to "never"
// the huge page mark changes nothing.

#include <string>
#include <string_view>

namespace sio::app {

// GLIBC_TUNABLES with the settings above added, each unless `current` names it; `current` as it
// is when it names them all.
std::string with_heap_tunables(std::string_view current);

// Called first thing in main(); returns only when the process goes on as it is.
void restart_with_heap_tunables(char** argv);

}  // namespace sio::app
