#include "page_warmer.h"

#include "self_maps.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kPagesPerStep = 512; // one mincore, then up to 512 reads; the stop flag between
constexpr std::size_t kStackBytes = 64 * 1024;

#if defined(__x86_64__)
constexpr bool kSupported = true;
// A system call without the C library's wrapper: the warmer shares the walk's thread-local storage,
// so it must not set errno. Returns the kernel's result (a negative errno on failure).
long directSyscall3(long number, long a, long b, long c)
{
    long result;
    asm volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}
#else
constexpr bool kSupported = false;
long directSyscall3(long, long, long, long)
{
    return -1;
}
#endif

} // namespace

bool PageWarmer::start(bool idleOnly)
{
    if (!kSupported || started_)
        return false;
    // With one CPU to run on, the warmer would only take turns with the walk.
    cpu_set_t cpus;
    if (::sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2)
        return false;
    const bool listed = forEachPrivateAnonymousMapping(
        [](std::uintptr_t begin, std::uintptr_t end, void* context) {
            return static_cast<PageWarmer*>(context)->ranges_.push_back(Range { begin, end });
        },
        this);
    if (!listed || ranges_.failed() || ranges_.empty())
        return false;
    wantIdle_ = idleOnly;
    policy_ = 0;
    void* stack = ::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return false;
    stack_ = static_cast<char*>(stack);
    // A thread of this process without the C library's thread set-up (it would take locks the clone
    // may have copied held): no thread-local storage of its own, which run() never uses.
    constexpr int kFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
        | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    const int tid = ::clone(&PageWarmer::run, stack_ + kStackBytes, kFlags, this, &threadId_, nullptr, &threadId_);
    if (tid <= 0) {
        ::munmap(stack_, kStackBytes);
        stack_ = nullptr;
        return false;
    }
    // Only CPU time nothing else wants (SCHED_IDLE): the target's threads, the walk and the profiler
    // come first. At the child's priority alone, the target felt 8 to 12 ms more than the clone's
    // pause at 1M objects. The thread takes the policy itself before it reads a page, and this one
    // waits until it has: set from here, it came too late whenever this thread lost its CPU after
    // the clone (a short read was over, and the thread gone, before it ran again).
    if (wantIdle_)
        for (int policy = policy_; policy == 0; policy = policy_)
            ::syscall(SYS_futex, const_cast<int*>(&policy_), FUTEX_WAIT, 0, nullptr, nullptr, 0);
    started_ = true;
    return true;
}

int PageWarmer::run(void* self)
{
    static_cast<PageWarmer*>(self)->readAll();
    return 0;
}

void PageWarmer::readAll()
{
    // Its own name, not the thread's it was cloned from (the agent's, before the child took one).
    directSyscall3(SYS_prctl, PR_SET_NAME, reinterpret_cast<long>("gcscope-warm"), 0);
    if (wantIdle_) { // 0: this thread
        sched_param idle {};
        policy_
            = directSyscall3(SYS_sched_setscheduler, 0, SCHED_IDLE, reinterpret_cast<long>(&idle)) == 0 ? kIdle : kOwn;
        directSyscall3(SYS_futex, reinterpret_cast<long>(&policy_), FUTEX_WAKE, 1);
    }
    unsigned char present[kPagesPerStep];
    for (std::size_t r = 0; r < ranges_.size(); ++r) {
        const Range range = ranges_[r];
        for (std::uintptr_t at = range.begin; at < range.end; at += kPagesPerStep * kPage) {
            if (stopping_.load(std::memory_order_relaxed))
                return;
            const std::uintptr_t left = (range.end - at) / kPage;
            const std::size_t pages = left < kPagesPerStep ? static_cast<std::size_t>(left) : kPagesPerStep;
            // Only present pages: reading one never touched would give the child a page of its own.
            if (directSyscall3(SYS_mincore, static_cast<long>(at), static_cast<long>(pages * kPage),
                    reinterpret_cast<long>(present))
                != 0)
                break; // not mapped as listed: the rest of this mapping is skipped
            std::uint64_t read = 0;
            for (std::size_t i = 0; i < pages; ++i) {
                if (present[i] & 1) {
                    static_cast<void>(*reinterpret_cast<const volatile unsigned char*>(at + i * kPage));
                    ++read;
                }
            }
            pagesRead_.fetch_add(read, std::memory_order_relaxed);
        }
    }
}

void PageWarmer::waitUntilDone()
{
    if (!started_)
        return;
    // The kernel sets threadId_ to 0 and wakes this futex when the thread has ended.
    for (int tid = threadId_; tid != 0; tid = threadId_)
        ::syscall(SYS_futex, const_cast<int*>(&threadId_), FUTEX_WAIT, tid, nullptr, nullptr, 0);
    ::munmap(stack_, kStackBytes);
    stack_ = nullptr;
    started_ = false;
}

void PageWarmer::stop()
{
    stopping_.store(true, std::memory_order_relaxed);
    if (!started_)
        return;
    // Back to the child's own priority, so that it gets a CPU at once to see the flag and end
    // (within one step): at SCHED_IDLE on a busy machine it waited, and the child's exit with it
    // (a target with busy threads saw the child a zombie for 1.1 s).
    sched_param normal {};
    const int tid = threadId_;
    if (runsWhenIdleOnly() && tid != 0 && ::sched_setscheduler(tid, SCHED_OTHER, &normal) == 0)
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), ::getpriority(PRIO_PROCESS, 0));
    waitUntilDone();
}

} // namespace gcscope::agent
