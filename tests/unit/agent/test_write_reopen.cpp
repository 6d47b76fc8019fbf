// After a snapshot child is gone, the agent reopens the pages it shared for writing (write_reopen.h):
// the target's next writes to them take no fault, and nothing is made or copied that was not there
// (pages never touched, pages a live child still shares, pages of a file). Real forks; faults
// counted by the kernel (getrusage's minor faults), residence read with mincore.
#include "write_reopen.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace gcscope::agent {
namespace {

const std::size_t kPage = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
constexpr std::size_t kPages = 2048; // 8 MiB

// Private anonymous memory in 4 KiB pages (one fault per page, not per huge page), the first
// `touched` pages written.
class Region {
public:
    explicit Region(std::size_t touched)
    {
        void* p = mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_NE(p, MAP_FAILED);
        data_ = static_cast<char*>(p);
        madvise(data_, bytes(), MADV_NOHUGEPAGE);
        std::memset(data_, 1, touched * kPage);
    }
    ~Region() { munmap(data_, bytes()); }
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    static std::size_t bytes() { return kPages * kPage; }
    std::uintptr_t begin() const { return reinterpret_cast<std::uintptr_t>(data_); }
    std::uintptr_t end() const { return begin() + bytes(); }
    // Minor faults taken to write one byte in each of the first `pages` pages.
    long faultsToWrite(std::size_t pages)
    {
        const long before = minorFaults();
        for (std::size_t i = 0; i < pages; ++i)
            data_[i * kPage] = 2;
        return minorFaults() - before;
    }
    std::size_t residentPages()
    {
        std::vector<unsigned char> in(kPages);
        EXPECT_EQ(mincore(data_, bytes(), in.data()), 0);
        std::size_t n = 0;
        for (unsigned char c : in)
            n += c & 1;
        return n;
    }

private:
    static long minorFaults()
    {
        rusage u {};
        getrusage(RUSAGE_SELF, &u);
        return u.ru_minflt;
    }
    char* data_ = nullptr;
};

// A child that shares every page of this process and exits at once, reaped before returning.
void forkAndReap()
{
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0)
        _exit(0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
}

constexpr const char* kUnsupported = "this kernel has no PAGEMAP_SCAN (Linux 6.7) or no /proc/self/pagemap";

TEST(WriteReopen, GivenPagesAnEndedChildShared_WhenReopened_ThenWritingThemTakesNoFaults)
{
    Region region(kPages);
    forkAndReap();
    const ReopenedPages done = reopenForWrites(region.begin(), region.end());
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_EQ(done.scanned, kPages);
    EXPECT_EQ(done.reopened, kPages);
    EXPECT_EQ(done.pauses, kPages / 512 - 1); // between each 512 pages
    EXPECT_LT(region.faultsToWrite(kPages), static_cast<long>(kPages / 16));
}

TEST(WriteReopen, GivenPagesAnEndedChildShared_WhenNotReopened_ThenEachWriteFaults)
{
    // The cost the reopening saves, and proof that the test above can fail.
    Region region(kPages);
    forkAndReap();
    EXPECT_GE(region.faultsToWrite(kPages), static_cast<long>(kPages - kPages / 16));
}

TEST(WriteReopen, GivenPagesNeverTouched_WhenReopened_ThenTheyStayOutOfMemory)
{
    Region region(kPages / 2);
    forkAndReap();
    const ReopenedPages done = reopenForWrites(region.begin(), region.end());
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_EQ(done.reopened, kPages / 2);
    EXPECT_EQ(region.residentPages(), kPages / 2);
}

// Anonymous memory this process holds (RssAnon), in pages.
long anonymousPages()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("RssAnon:", 0) == 0)
            return std::stol(line.substr(8)) * 1024 / static_cast<long>(kPage);
    return -1;
}

TEST(WriteReopen, GivenPagesOnlyRead_WhenReopened_ThenTheProcessHoldsNoMoreMemory)
{
    // A kernel that maps the shared zero page for reads of untouched memory leaves it to
    // PAGEMAP_SCAN's PAGE_IS_PFNZERO; others (this project's VMs) give each read page a page of its
    // own already. Either way, reopening must not make a page of its own for each.
    Region region(0);
    volatile char sum = 0;
    for (std::size_t i = 0; i < kPages; ++i)
        sum = static_cast<char>(sum + reinterpret_cast<const char*>(region.begin())[i * kPage]);
    forkAndReap();
    const long before = anonymousPages();
    const ReopenedPages done = reopenForWrites(region.begin(), region.end());
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_LT(anonymousPages() - before, static_cast<long>(kPages / 16));
}

TEST(WriteReopen, GivenPagesALiveChildShares_WhenReopened_ThenNoneIsCopied)
{
    Region region(kPages);
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        char c;
        close(gate[1]);
        (void)!read(gate[0], &c, 1); // until the parent closes its end
        _exit(0);
    }
    close(gate[0]);
    const ReopenedPages done = reopenForWrites(region.begin(), region.end());
    close(gate[1]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_EQ(done.scanned, kPages);
    EXPECT_EQ(done.reopened, 0u) << "shared pages are left to copy-on-write, as the child still reads them";
}

TEST(WriteReopen, GivenAPrivateMappingOfAFile_WhenReopened_ThenItsPagesStayTheFiles)
{
    const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const std::size_t bytes = 16 * kPage;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    ASSERT_NE(p, MAP_FAILED);
    volatile char sum = 0;
    for (std::size_t i = 0; i < bytes; i += kPage)
        sum = static_cast<char>(sum + static_cast<const char*>(p)[i]); // present, still the file's pages
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const ReopenedPages done = reopenForWrites(begin, begin + bytes);
    munmap(p, bytes);
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_EQ(done.reopened, 0u) << "writing them would make private copies of the file's pages";
}

TEST(WriteReopen, GivenTheWholeProcess_WhenReopenedAfterAChild_ThenItsAnonymousPagesAreFoundInItsMaps)
{
    Region region(kPages);
    forkAndReap();
    const ReopenedPages done = reopenForWrites(std::uint64_t { 1 } << 40);
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_GE(done.reopened, kPages); // the region's, found through /proc/self/maps, and more
    EXPECT_LT(region.faultsToWrite(kPages), static_cast<long>(kPages / 16));
}

TEST(WriteReopen, GivenAHugeMappingMostlyUntouched_WhenReopened_ThenItPausesForItsPresentPagesOnly)
{
    // The pace is per present page: holes (a reserved heap, thread stacks) add no pause.
    const std::size_t bytes = std::size_t { 1 } << 30; // 1 GiB, never backed
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    auto* bytesAt = static_cast<char*>(p);
    for (std::size_t i = 0; i < 4; ++i)
        bytesAt[i * (bytes / 4)] = 1; // four pages, 256 MiB apart
    forkAndReap();
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const ReopenedPages done = reopenForWrites(begin, begin + bytes);
    munmap(p, bytes);
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_EQ(done.reopened, 4u);
    EXPECT_LE(done.pauses, 1u);
}

TEST(WriteReopen, GivenASmallBudget_WhenReopened_ThenItStopsThere)
{
    Region region(kPages);
    forkAndReap();
    const ReopenedPages done = reopenForWrites(std::uint64_t { 64 } * kPage);
    if (done.unsupported)
        GTEST_SKIP() << kUnsupported;
    EXPECT_LE(done.scanned, 64u);
}

} // namespace
} // namespace gcscope::agent
