// util::Prefaulter: the receiver's arrays faulted in ahead of it, on a thread of its own.
#include "util/prefault.h"
#include "util/thread_priority.h"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using gcscope::util::Prefaulter;

namespace {

// How many of the pages of [p, p + bytes) are in memory.
std::size_t residentPages(void* p, std::size_t bytes)
{
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> in((bytes + page - 1) / page);
    if (::mincore(p, bytes, in.data()) != 0)
        return 0;
    std::size_t n = 0;
    for (const auto b : in)
        n += b & 1;
    return n;
}

struct Mapping {
    explicit Mapping(std::size_t n)
        : bytes(n)
        , data(::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
    {
    }
    ~Mapping() { ::munmap(data, bytes); }
    std::size_t bytes;
    void* data;
};

} // namespace

TEST(Prefaulter, GivenFreshMappings_WhenStarted_ThenTheirPagesComeInWithoutTheirBytesChanging)
{
    Mapping random(16u << 20), ordered(48u << 20);
    ASSERT_NE(random.data, MAP_FAILED);
    ASSERT_NE(ordered.data, MAP_FAILED);
    // The writer has begun the ordered one: what it wrote stays.
    static_cast<char*>(ordered.data)[0] = 42;
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t total = (random.bytes + ordered.bytes) / page;
    ASSERT_LT(residentPages(random.data, random.bytes) + residentPages(ordered.data, ordered.bytes), total / 2);

    Prefaulter prefaulter;
    prefaulter.add(random.data, random.bytes, true);
    prefaulter.add(ordered.data, ordered.bytes);
    prefaulter.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::size_t resident = 0;
    while ((resident = residentPages(random.data, random.bytes) + residentPages(ordered.data, ordered.bytes)) < total
        && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    prefaulter.stop();
    if (resident < total && residentPages(random.data, random.bytes) == 0)
        GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
    EXPECT_EQ(resident, total);
    EXPECT_EQ(static_cast<char*>(ordered.data)[0], 42);
    for (std::size_t at = 1; at < ordered.bytes; at += page)
        ASSERT_EQ(static_cast<char*>(ordered.data)[at], 0);
}

// The stream ends early (a small heap, an estimate far too high): stop() does not wait for the rest.
TEST(Prefaulter, GivenAFarBiggerReservationThanUsed_WhenStoppedAtOnce_ThenMostOfItIsNeverFaultedIn)
{
    Mapping big(std::size_t { 1 } << 30);
    ASSERT_NE(big.data, MAP_FAILED);
    Prefaulter prefaulter;
    prefaulter.add(big.data, big.bytes);
    prefaulter.start();
    prefaulter.stop();
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    EXPECT_LT(residentPages(big.data, big.bytes), big.bytes / page / 2);
}

using gcscope::util::thisThreadNice;
using gcscope::util::threadNices;

// A prefaulter started on a fresh mapping at a given priority, from a test thread whose own
// priority is not already the lowest (else the test is skipped: nothing could tell them apart).
class PrefaulterPriority : public ::testing::Test {
protected:
    void SetUp() override
    {
        callerNice = thisThreadNice();
        if (callerNice >= 19)
            GTEST_SKIP() << "this test already runs at the lowest priority (nice " << callerNice << ")";
    }
    void start(std::size_t bytes, Prefaulter::Priority priority)
    {
        mapping = std::make_unique<Mapping>(bytes);
        ASSERT_NE(mapping->data, MAP_FAILED);
        prefaulter.add(mapping->data, mapping->bytes);
        prefaulter.start(priority);
    }
    std::size_t residentMiB() const
    {
        return residentPages(mapping->data, mapping->bytes) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE))
            / (std::size_t { 1 } << 20);
    }
    int callerNice = 0;
    std::unique_ptr<Mapping> mapping;
    Prefaulter prefaulter; // after the mapping: stopped before it is unmapped
};

// A snapshot's receiver starts its prefaulter in the background: on its own thread at the lowest
// priority, leaving the caller's as it was, and no thread of ours at it once stopped.
TEST_F(PrefaulterPriority, GivenTheBackgroundPriority_WhenStarted_ThenOnlyItsOwnThreadRunsAtTheLowest)
{
    ASSERT_NO_FATAL_FAILURE(start(std::size_t { 512 } << 20, Prefaulter::Priority::Background));
    bool seen = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        for (const auto& [tid, nice] : threadNices())
            seen = seen || (tid != ::gettid() && nice == 19);
        if (!seen)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    prefaulter.stop();
    if (!seen && residentMiB() == 0)
        GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
    EXPECT_TRUE(seen) << "no thread of the process ran at nice 19 while the prefaulter populated " << residentMiB()
                      << " MiB";
    EXPECT_EQ(thisThreadNice(), callerNice);
    for (const auto& [tid, nice] : threadNices())
        EXPECT_NE(nice, 19) << "thread " << tid << " is still at the lowest priority after stop()";
}

// The default, for a file being read (the loader's own arrays): the caller's priority.
TEST_F(PrefaulterPriority, GivenTheCallersPriority_WhenStarted_ThenNoThreadRunsAtTheLowest)
{
    ASSERT_NO_FATAL_FAILURE(start(std::size_t { 256 } << 20, Prefaulter::Priority::Caller));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (residentMiB() < 64 && std::chrono::steady_clock::now() < deadline) {
        for (const auto& [tid, nice] : threadNices())
            ASSERT_EQ(nice, callerNice) << "thread " << tid;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    prefaulter.stop();
}
