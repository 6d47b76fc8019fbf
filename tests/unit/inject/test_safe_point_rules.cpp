#include "inject/safe_point_rules.h"

#include <gtest/gtest.h>

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
