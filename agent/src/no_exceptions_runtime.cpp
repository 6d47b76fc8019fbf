// The agent is built without exceptions but links libstdc++ statically. Left alone, the archive's
// operator new and std::__throw_* helpers pull in its exception runtime, whose emergency-pool
// constructor would run (and malloc) inside the target at dlopen() — and a throw could only end in
// std::terminate through our frames anyway. These definitions replace them, hidden to the agent:
// the same outcome (abort with a message) with no constructor and no exception machinery.
//
// In the snapshot child (child_heap.h) memory comes from the child's own mappings and is never
// freed: the target's malloc may be locked there for good.
#include "child_heap.h"

#include <cstdio>
#include <cstdlib>
#include <new>
#include <unistd.h>

namespace {

// The snapshot child's exit status when it ran out of memory (snapshot_child.h).
constexpr int kChildOutOfMemory = 71;

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "gcscope agent: fatal: %s\n", what ? what : "?");
    std::abort();
}

void* allocate(std::size_t size)
{
    if (gcscope::agent::child_heap::active()) {
        void* p = gcscope::agent::child_heap::allocate(size);
        if (!p)
            _exit(kChildOutOfMemory);
        return p;
    }
    void* p = std::malloc(size ? size : 1);
    if (!p)
        fail("out of memory");
    return p;
}

void* allocateOrNull(std::size_t size) noexcept
{
    if (gcscope::agent::child_heap::active())
        return gcscope::agent::child_heap::allocate(size);
    return std::malloc(size ? size : 1);
}

void release(void* p) noexcept
{
    if (!gcscope::agent::child_heap::active())
        std::free(p);
}

} // namespace

void* operator new(std::size_t size)
{
    return allocate(size);
}
void* operator new[](std::size_t size)
{
    return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    return allocateOrNull(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return allocateOrNull(size);
}
void operator delete(void* p) noexcept
{
    release(p);
}
void operator delete[](void* p) noexcept
{
    release(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    release(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
    release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    release(p);
}

namespace std {
void __throw_bad_exception()
{
    fail("bad_exception");
}
void __throw_bad_alloc()
{
    fail("out of memory");
}
void __throw_bad_array_new_length()
{
    fail("bad array new length");
}
void __throw_bad_cast()
{
    fail("bad cast");
}
void __throw_bad_typeid()
{
    fail("bad typeid");
}
void __throw_logic_error(const char* what)
{
    fail(what);
}
void __throw_domain_error(const char* what)
{
    fail(what);
}
void __throw_invalid_argument(const char* what)
{
    fail(what);
}
void __throw_length_error(const char* what)
{
    fail(what);
}
void __throw_out_of_range(const char* what)
{
    fail(what);
}
void __throw_out_of_range_fmt(const char* what, ...)
{
    fail(what);
}
void __throw_runtime_error(const char* what)
{
    fail(what);
}
void __throw_range_error(const char* what)
{
    fail(what);
}
void __throw_overflow_error(const char* what)
{
    fail(what);
}
void __throw_underflow_error(const char* what)
{
    fail(what);
}
} // namespace std
