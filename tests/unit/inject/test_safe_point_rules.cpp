#include "discovery/proc_maps.h"
#include "inject/safe_point_rules.h"

#include <gtest/gtest.h>
#include <linux/futex.h>
#include <sys/syscall.h>

using gcscope::inject::unsafeFamily;

TEST(SafePointRules, GivenFunctionsThatMayHoldLocksDlopenNeeds_WhenClassified_ThenEachIsUnsafe)
{
    for (const char* name : { "malloc", "__libc_malloc", "free", "__libc_free", "calloc", "realloc", "memalign",
             "posix_memalign", "malloc_consolidate", "_int_free", "tcache_init" })
        EXPECT_EQ(unsafeFamily(name), "the allocator") << name;
    // What glibc 2.43's malloc calls from its unnamed slow path, an arena lock held.
    for (const char* name : { "brk", "sbrk", "__default_morecore", "mmap", "munmap", "mprotect", "madvise" })
        EXPECT_EQ(unsafeFamily(name), "the allocator") << name;
    for (const char* name : { "dlopen", "dlsym", "dl_iterate_phdr", "_dl_catch_exception", "__libc_dlopen_mode" })
        EXPECT_EQ(unsafeFamily(name), "the dynamic loader") << name;
    EXPECT_EQ(unsafeFamily("fork"), "fork");
    EXPECT_EQ(unsafeFamily("_Fork"), "fork");
    EXPECT_EQ(unsafeFamily("_IO_fflush"), "stdio");
    EXPECT_EQ(unsafeFamily("Py_AddPendingCall"), "Py_AddPendingCall");
    EXPECT_EQ(unsafeFamily("PyGILState_Ensure"), "PyGILState");
    EXPECT_EQ(unsafeFamily("pthread_create"), "pthread_create");
}

TEST(SafePointRules, GivenOrdinaryFunctions_WhenClassified_ThenTheyAreSafe)
{
    for (const char* name : { "_PyEval_EvalFrameDefault", "clock_nanosleep", "epoll_wait", "accept4", "read",
             "pthread_cond_timedwait", "PyObject_Free", "PyObject_Malloc", "main", "free_keys_object" })
        EXPECT_FALSE(unsafeFamily(name)) << name;
}

TEST(SafePointRules, GivenAThreadInAFutexSystemCall_WhenAskedWhetherItWaits_ThenOnlyTheWaitingOperationsCount)
{
    using gcscope::inject::isFutexWait;
    for (unsigned op : { FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI, FUTEX_WAIT_REQUEUE_PI, 13 })
        EXPECT_TRUE(isFutexWait(SYS_futex, op)) << op;
    // glibc's private and realtime-clock variants of the same waits.
    EXPECT_TRUE(isFutexWait(SYS_futex, FUTEX_WAIT | FUTEX_PRIVATE_FLAG));
    EXPECT_TRUE(isFutexWait(SYS_futex, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME));
    for (unsigned op : { FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_UNLOCK_PI, FUTEX_WAKE_OP })
        EXPECT_FALSE(isFutexWait(SYS_futex, op | FUTEX_PRIVATE_FLAG)) << op;
    // Not a futex call at all: a thread running (-1), in read, in mmap with a futex-like argument.
    EXPECT_FALSE(isFutexWait(-1, FUTEX_WAIT));
    EXPECT_FALSE(isFutexWait(SYS_read, FUTEX_WAIT));
    EXPECT_FALSE(isFutexWait(SYS_mmap, FUTEX_WAIT_BITSET));
}

TEST(SafePointRules, GivenMappedFiles_WhenAskedWhichIsTheCLibrary_ThenGlibcsFilesOfEveryNamingAre)
{
    using gcscope::discovery::isCLibrary;
    using gcscope::discovery::Mapping;
    auto mapping = [](const char* path) {
        Mapping m;
        m.path = path;
        m.inode = 1;
        return m;
    };
    for (const char* path : { "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc-2.31.so",
             "/lib/x86_64-linux-gnu/libpthread.so.0", "/lib64/libpthread-2.28.so" })
        EXPECT_TRUE(isCLibrary(mapping(path))) << path;
    for (const char* path : { "/usr/lib/x86_64-linux-gnu/libcrypt.so.1", "/usr/lib/x86_64-linux-gnu/libcap.so.2",
             "/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3.15", "/tmp/libc.txt", "" })
        EXPECT_FALSE(isCLibrary(mapping(path))) << path;
}
