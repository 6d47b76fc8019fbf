// util::keepFreedMemory and util::returnFreedMemory: what gcscope's analyses free stays in the
// process for the next phase to reuse without faulting fresh pages in, and goes back to the system
// when asked. Each test runs in a forked child: the malloc settings are the whole process's.
#include "util/huge_pages.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

constexpr std::size_t kBlock = std::size_t { 64 } << 20; // past glibc's largest mmap threshold (32 MiB)

long minorFaults()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

std::size_t residentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    return 0;
}

// Written through a volatile pointer: the compiler may neither drop the block nor its pages.
void writeEveryPage(void* block)
{
    volatile auto* bytes = static_cast<volatile unsigned char*>(block);
    for (std::size_t i = 0; i < kBlock; i += 4096)
        bytes[i] = 1;
}

// Page faults taken to allocate and write a block after one of the same size was freed.
long faultsForASecondBlock()
{
    void* first = std::malloc(kBlock);
    if (!first)
        return -1;
    writeEveryPage(first);
    std::free(first);
    const long before = minorFaults();
    void* second = std::malloc(kBlock);
    if (!second)
        return -1;
    writeEveryPage(second);
    const long faults = minorFaults() - before;
    std::free(second);
    return faults;
}

// Runs `body` in a forked child, which exits 0 when it passes and else prints why; the parent
// checks the exit. The child's malloc settings never reach the other tests.
template <class Body> void inChild(Body body)
{
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0)
        ::_exit(body() ? 0 : 1);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace

TEST(FreedMemory, GivenGlibcDefaults_WhenABigBlockIsFreedAndAnotherMade_ThenEveryPageFaultsAgain)
{
    // The behaviour keepFreedMemory changes, measured here so the next test means something: glibc
    // maps a 64 MiB block on its own, unmaps it when freed, and the next one is fresh memory.
    inChild([] {
        const long faults = faultsForASecondBlock();
        if (faults < static_cast<long>(kBlock / (2u << 20))) { // at least one fault a 2 MiB page
            std::fprintf(stderr, "only %ld faults for a fresh 64 MiB block\n", faults);
            return false;
        }
        return true;
    });
}

TEST(FreedMemory, GivenFreedMemoryKept_WhenABigBlockIsFreedAndAnotherMade_ThenItReusesThePages)
{
    inChild([] {
        gcscope::util::useOneMallocArena();
        gcscope::util::keepFreedMemory();
        const long faults = faultsForASecondBlock();
        // A few for malloc's own bookkeeping; the block itself is 16,384 pages (32 huge ones).
        if (faults < 0 || faults > 8) {
            std::fprintf(stderr, "%ld faults for a block made where one was freed\n", faults);
            return false;
        }
        return true;
    });
}

TEST(FreedMemory, GivenFreedMemoryKept_WhenReturned_ThenTheProcessShrinks)
{
    inChild([] {
        gcscope::util::useOneMallocArena();
        gcscope::util::keepFreedMemory();
        // What the tests before this one in the same process freed is the child's too: given back
        // first, so the block cannot be made in it.
        gcscope::util::returnFreedMemory();
        const std::size_t base = residentBytes();
        void* block = std::malloc(kBlock);
        if (!block)
            return false;
        writeEveryPage(block);
        std::free(block);
        const std::size_t kept = residentBytes();
        gcscope::util::returnFreedMemory();
        const std::size_t returned = residentBytes();
        std::fprintf(stderr, "resident: %zu MiB, %zu MiB with the block freed, %zu MiB returned\n", base >> 20,
            kept >> 20, returned >> 20);
        return kept >= base + kBlock * 3 / 4 && returned + kBlock * 3 / 4 <= kept;
    });
}
