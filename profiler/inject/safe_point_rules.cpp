#include "inject/safe_point_rules.h"

#include <array>
#include <linux/futex.h>
#include <sys/syscall.h>

namespace gcscope::inject {

namespace {
constexpr std::array kAllocatorNames = { "free", "cfree", "__libc_free", "_int_free", "aligned_alloc", "posix_memalign",
    "__posix_memalign", "mallinfo", "mallinfo2", "mallopt" };
// The system calls malloc makes to grow or trim its heaps, with an arena locked. Since glibc 2.43,
// malloc hands off to static (unnamed) functions and is no longer on the stack there: a thread
// stopped in sbrk under them holds the arena lock our dlopen needs. Other callers of these are
// brief, so waiting for the next stop costs little.
constexpr std::array kHeapSyscallNames
    = { "brk", "__brk", "sbrk", "__sbrk", "__default_morecore", "mmap", "__mmap", "mmap64", "__mmap64", "munmap",
          "__munmap", "mremap", "__mremap", "mprotect", "__mprotect", "madvise", "__madvise" };

bool contains(std::string_view s, std::string_view part)
{
    return s.find(part) != std::string_view::npos;
}

template <std::size_t N> bool oneOf(std::string_view s, const std::array<const char*, N>& names)
{
    for (const char* n : names) {
        if (s == n)
            return true;
    }
    return false;
}

bool isAllocator(std::string_view n)
{
    // malloc, __libc_malloc, malloc_consolidate, calloc, realloc, memalign, valloc, pvalloc, ...
    // (glibc's static _int_malloc/sysmalloc have no symbol; their exported callers are on the stack.)
    return contains(n, "malloc") || contains(n, "calloc") || contains(n, "realloc") || contains(n, "memalign")
        || contains(n, "valloc") || n.starts_with("_int_") || n.starts_with("tcache") || oneOf(n, kAllocatorNames)
        || oneOf(n, kHeapSyscallNames);
}

bool isLoader(std::string_view n)
{
    return n.starts_with("dl") || n.starts_with("_dl") || n.starts_with("__dl") || n.starts_with("__libc_dl")
        || n == "__tls_get_addr";
}

bool isFork(std::string_view n)
{
    return n == "fork" || n == "_Fork" || n == "__fork" || n == "__libc_fork" || n == "vfork"
        || n.starts_with("__run_fork_handlers");
}
} // namespace

std::optional<std::string_view> unsafeFamily(std::string_view n)
{
    if (isAllocator(n))
        return "the allocator";
    if (isLoader(n))
        return "the dynamic loader";
    if (isFork(n))
        return "fork";
    if (n.starts_with("_IO_"))
        return "stdio";
    if (n == "Py_AddPendingCall" || n == "_PyEval_AddPendingCall")
        return "Py_AddPendingCall";
    if (n.starts_with("PyGILState_") || n.starts_with("_PyGILState_"))
        return "PyGILState";
    // Holds the thread-stack cache lock, which the agent's pthread_create would take again.
    if (n.starts_with("pthread_create") || n.starts_with("__pthread_create"))
        return "pthread_create";
    return std::nullopt;
}

bool isFutexWait(long long number, unsigned long long arg1)
{
    if (number != SYS_futex)
        return false;
    const unsigned op = static_cast<unsigned>(arg1) & FUTEX_CMD_MASK;
    return op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET || op == FUTEX_LOCK_PI || op == FUTEX_WAIT_REQUEUE_PI
        || op == 13; // FUTEX_LOCK_PI2 (Linux 5.14), not in every header
}

} // namespace gcscope::inject
