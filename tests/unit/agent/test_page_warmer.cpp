// The snapshot child's page warmer (page_warmer.h): in a forked child, as in the snapshot child, it
// reads every present page of the process's private anonymous memory on a thread of its own, makes
// no page present that was not (the child's memory would grow), and is gone once stopped. Real
// forks; residence read with mincore, threads with /proc/self/task.
#include "page_warmer.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

namespace gcscope::agent {
namespace {

const std::size_t kPage = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
constexpr std::size_t kPages = 4096; // 16 MiB
constexpr std::size_t kTouched = 1000;

// Runs `check` in a forked child and returns its exit status (0: passed; else which check failed).
int inChild(const std::function<int()>& check)
{
    const pid_t pid = fork();
    if (pid == 0)
        _exit(check());
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

std::size_t residentPages(const char* data, std::size_t pages)
{
    std::vector<unsigned char> in(pages);
    if (mincore(const_cast<char*>(data), pages * kPage, in.data()) != 0)
        return ~std::size_t { 0 };
    std::size_t n = 0;
    for (unsigned char c : in)
        n += c & 1;
    return n;
}

int threadCount()
{
    DIR* dir = opendir("/proc/self/task");
    if (!dir)
        return -1;
    int n = 0;
    while (const dirent* e = readdir(dir))
        n += e->d_name[0] != '.' ? 1 : 0;
    closedir(dir);
    return n;
}

class PageWarmerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
#if !defined(__x86_64__)
        GTEST_SKIP() << "the page warmer runs on x86-64 only (elsewhere start() does nothing)";
#endif
        cpu_set_t cpus;
        if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2)
            GTEST_SKIP() << "this process may run on one CPU only, where the warmer does not start";
        void* p = mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(p, MAP_FAILED);
        data_ = static_cast<char*>(p);
        madvise(data_, kPages * kPage, MADV_NOHUGEPAGE); // one page per touch, not a huge one
        for (std::size_t i = 0; i < kTouched; ++i)
            data_[2 * i * kPage] = 1; // every other page of the first 2000
    }
    void TearDown() override
    {
        if (data_)
            munmap(data_, kPages * kPage);
    }
    char* data_ = nullptr;
};

TEST_F(PageWarmerTest, GivenAForkedChild_WhenWarmed_ThenItReadsThePresentPagesAndMakesNoOtherPresent)
{
    ASSERT_EQ(residentPages(data_, kPages), kTouched);
    const int status = inChild([&] {
        PageWarmer warmer;
        if (!warmer.start(false)) // at this process's priority: at SCHED_IDLE it may wait long for a CPU here
            return 1;
        warmer.waitUntilDone();
        if (warmer.pagesRead() < kTouched)
            return 2; // this process's memory holds at least the touched pages
        if (residentPages(data_, kPages) != kTouched)
            return 3; // a page never touched was read, and became the child's own
        return 0;
    });
    EXPECT_NE(status, 1) << "the warmer did not start";
    EXPECT_NE(status, 2) << "the warmer read fewer pages than the child has present";
    EXPECT_NE(status, 3) << "the warmer made pages present that were not";
    EXPECT_EQ(status, 0);
}

TEST_F(PageWarmerTest, GivenTheSnapshotChildsWarmer_WhenStarted_ThenItRunsAtSchedIdle)
{
    const int status = inChild([] {
        PageWarmer warmer;
        if (!warmer.start())
            return 1;
        const bool idle = warmer.runsWhenIdleOnly();
        warmer.stop();
        return idle ? 0 : 2;
    });
    EXPECT_NE(status, 1) << "the warmer did not start";
    EXPECT_NE(status, 2) << "the warmer's thread does not run at SCHED_IDLE: it would take CPU time from the "
                            "target's threads and the profiler";
    EXPECT_EQ(status, 0);
}

TEST_F(PageWarmerTest, GivenARunningWarmer_WhenStopped_ThenItsThreadIsGone)
{
    const int status = inChild([] {
        if (threadCount() != 1)
            return 1;
        PageWarmer warmer;
        if (!warmer.start(false))
            return 2;
        warmer.stop(); // waits for the thread: it ends within a step
        if (threadCount() != 1)
            return 3;
        warmer.stop(); // again: nothing to do
        return 0;
    });
    EXPECT_NE(status, 2) << "the warmer did not start";
    EXPECT_NE(status, 3) << "the warmer's thread outlived stop()";
    EXPECT_EQ(status, 0);
}

// At SCHED_IDLE the warmer gets no CPU while others want them all: stop() puts it back at the
// caller's priority first, so that it ends at once and the child's exit does not wait for it (a
// busy target saw the child a zombie for 1.1 s before).
TEST_F(PageWarmerTest, GivenAnIdleWarmerAndBusyCpus_WhenStopped_ThenItsThreadIsGone)
{
    const int status = inChild([] {
        std::atomic<bool> spin { true };
        std::vector<std::thread> busy;
        for (int i = 0; i < 2; ++i)
            busy.emplace_back([&] {
                while (spin.load(std::memory_order_relaxed)) { }
            });
        PageWarmer warmer;
        const bool started = warmer.start();
        warmer.stop();
        const int threads = threadCount();
        spin = false;
        for (auto& t : busy)
            t.join();
        if (!started)
            return 2;
        return threads == 3 ? 0 : 3; // this thread and the two busy ones
    });
    EXPECT_NE(status, 2) << "the warmer did not start";
    EXPECT_NE(status, 3) << "the warmer's thread outlived stop()";
    EXPECT_EQ(status, 0);
}

TEST_F(PageWarmerTest, GivenAMappingMadeAfterItStarted_WhenWarmed_ThenThatMappingIsNotRead)
{
    // The snapshot child's own buffers come after start(): they are not the warmer's to read (the
    // child may move them with mremap while it runs).
    const int status = inChild([] {
        PageWarmer warmer;
        if (!warmer.start(false))
            return 1;
        void* p = mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return 2;
        auto* later = static_cast<char*>(p);
        madvise(later, kPages * kPage, MADV_NOHUGEPAGE);
        std::memset(later, 1, kTouched * kPage);
        munmap(later, kPages * kPage); // while the warmer may still run: it must not be reading it
        warmer.waitUntilDone();
        return 0;
    });
    EXPECT_EQ(status, 0) << "the child failed (1: no start, 2: no memory) or died";
}

TEST_F(PageWarmerTest, GivenOneCpuToRunOn_WhenStarted_ThenItDoesNotStart)
{
    const int status = inChild([] {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu(), &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            return 1;
        PageWarmer warmer;
        return warmer.start() ? 2 : 0;
    });
    EXPECT_NE(status, 1) << "could not keep the child to one CPU";
    EXPECT_NE(status, 2) << "the warmer started with one CPU, where it only takes turns with the walk";
    EXPECT_EQ(status, 0);
}

} // namespace
} // namespace gcscope::agent
