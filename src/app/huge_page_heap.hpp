#pragma once
// sio-server's heap on transparent huge pages.
//
// What a server keeps grows its heap: the recovery log holds every broadcast for its window (two
// minutes by default), and while it fills, each new 4 KiB page costs a page fault. glibc can ask
// the kernel for huge pages for its heap (the tunable glibc.malloc.hugetlb=1, glibc ≥ 2.35: it
// marks the heap MADV_HUGEPAGE), 512 times fewer faults, but reads tunables only when a process
// starts. So sio-server starts itself again, once (a variable set for the new image only says it
// was), with the tunable added to GLIBC_TUNABLES.
//
// Nothing happens when GLIBC_TUNABLES already names glibc.malloc.hugetlb (whatever its value: set
// it to 0 to opt out), under a sanitizer (it brings its own allocator), or when the program cannot
// be started again (no /proc): the server then runs as it is. With the kernel's transparent huge
// pages set to "never" the mark changes nothing.

namespace sio::app {

// Called first thing in main(); returns only when the process goes on as it is.
void restart_with_huge_page_heap(char** argv);

}  // namespace sio::app
