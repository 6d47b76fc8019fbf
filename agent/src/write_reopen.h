// After a snapshot child is gone: the target's pages the clone shared are still write-protected
// (copy-on-write), and the target's next write to each of them faults once, in the thread that
// writes, with the GIL held: on this project's VMs a 10M-object heap's next full pass took 9 to 12 s
// instead of 3.5 (475K faults), a 1M one's 0.95 s instead of 0.28. The agent's own thread, without
// the GIL, reopens them for writing instead (MADV_POPULATE_WRITE, Linux 5.14), in the kernel, one
// call per run of pages, at a pace that leaves the CPU to the target (write_reopen.cpp).
//
// Only pages that cannot grow the target's memory are touched: present (not swapped, not never
// touched) and not the shared zero page that reading untouched memory maps (PAGEMAP_SCAN, Linux
// 6.7: earlier kernels cannot tell it apart without privileges, and get nothing done), anonymous
// and private, mapped by the target alone (/proc/self/pagemap's PM_MMAP_EXCLUSIVE: no child the
// target forked itself and no KSM shares them, so nothing is copied), in private writable anonymous
// mappings of /proc/self/maps. A page freed between that reading and the call is made again (4
// KiB): the window is the length of one call. Nothing is allocated: fixed buffers on the stack.
#pragma once

#include <cstdint>

namespace gcscope::agent {

struct ReopenedPages {
    std::uint64_t scanned = 0; // present pages of memory looked at (not a file's, not the zero page)
    std::uint64_t reopened = 0; // pages given to MADV_POPULATE_WRITE
    std::uint64_t pauses = 0; // the pace's pauses, one per 512 present pages
    bool unsupported = false; // no /proc/self/pagemap, or a kernel before 6.7: nothing done
};

// Every private writable anonymous mapping of this process, up to `maxBytes` of present pages
// looked at (past it, pages fault as before). Call only once no child shares the pages.
ReopenedPages reopenForWrites(std::uint64_t maxBytes);

// The same within [begin, end) only (page-aligned), for tests.
ReopenedPages reopenForWrites(std::uintptr_t begin, std::uintptr_t end);

} // namespace gcscope::agent
