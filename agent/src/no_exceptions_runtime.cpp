// The agent is built without exceptions but links libstdc++ statically. Left alone, the archive's
// operator new and std::__throw_* helpers pull in its exception runtime, whose emergency-pool
// constructor would run (and malloc) inside the target at dlopen() — and a throw could only end in
// std::terminate through our frames anyway. These definitions replace them, hidden to the agent:
// the same outcome (abort with a message) with no constructor and no exception machinery.
#include <cstdio>
#include <cstdlib>
#include <new>

namespace {

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "gcscope agent: fatal: %s\n", what ? what : "?");
    std::abort();
}

void* allocate(std::size_t size)
{
    void* p = std::malloc(size ? size : 1);
    if (!p)
        fail("out of memory");
    return p;
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
    return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return std::malloc(size ? size : 1);
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete[](void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
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
