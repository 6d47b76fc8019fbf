// The safe-point check against real allocator states: a target calls malloc and free from inside
// the C library, with the arena's lock taken (it once had a second thread). It is stopped at
// random moments; wherever the check calls the stop safe, a remote malloc and free must return, as
// the loader's would during our dlopen. Run on this machine's glibc and on Debian sid's (in the sid
// root), whose malloc and free hold that lock in static helpers they tail-called.
#include "discovery/proc_maps.h"
#include "inject/deadline.h"
#include "inject/registers.h"
#include "inject/remote_call.h"
#include "inject/remote_memory.h"
#include "inject/safe_point.h"
#include "inject/target_loader.h"
#include "inject/tracee.h"
#include "test_support.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <thread>
#include <unistd.h>

using namespace gcscope;
using namespace gcscope::inject;
using namespace gcscope::test;

namespace {

// The target's Python says whose C library it is: this machine's, or Debian sid's (chrooted).
class SafePointInAllocator : public ::testing::TestWithParam<PythonUnderTest> {
protected:
    void SetUp() override
    {
        if (auto why = pythonUnavailable(GetParam(), python_))
            GTEST_SKIP() << *why;
        if (auto why = ptraceUnavailable())
            GTEST_SKIP() << *why;
    }

    std::string python_;
};

// malloc and free in the target's own C library, found as the injector finds its dlopen.
struct Allocator {
    std::uint64_t malloc = 0, free = 0;
};

std::optional<Allocator> allocatorOf(pid_t pid)
{
    std::string error;
    auto maps = discovery::readProcMaps(pid, error);
    if (!maps)
        return std::nullopt;
    const Allocator a { targetCLibraryFunction(pid, *maps, "malloc"), targetCLibraryFunction(pid, *maps, "free") };
    return a.malloc && a.free ? std::optional<Allocator>(a) : std::nullopt;
}

TEST_P(
    SafePointInAllocator, GivenMallocAndFreeCalledFromTheCLibrary_WhenStoppedAtRandom_ThenAtEverySafeStopMallocReturns)
{
    const RootFolder folder(GetParam().root);
    const std::string script = folder.copyIn(targetScript());
    ASSERT_FALSE(script.empty()) << "cannot copy the target script into " << GetParam().root << "/tmp";
    auto target = ChildProcess::spawn(pythonArgv(GetParam(), python_, { script, "c-malloc" }));
    ASSERT_TRUE(target);
    ASSERT_TRUE(target->waitForLine("ready", 20s)) << "the target did not start";
    std::this_thread::sleep_for(200ms);
    const auto allocator = allocatorOf(target->pid());
    ASSERT_TRUE(allocator) << "no malloc and free found in the target's C library";

    constexpr int kStops = 300;
    constexpr std::uint64_t kBlock = 40000; // past tcache, so malloc takes the arena's lock
    std::mt19937 random(12345);
    std::uniform_int_distribution<int> pause(100, 1500);
    SafePointCheck check(target->pid());
    RemoteMemory memory(target->pid());
    int safe = 0, inAllocator = 0;
    for (int i = 0; i < kStops; ++i) {
        Tracee tracee(target->pid());
        tracee.seize();
        tracee.interrupt(Deadline(2s));
        const SafePointVerdict verdict = check.check(target->pid());
        if (verdict.safe) {
            ++safe;
            const std::string where = check.describe(target->pid(), 4);
            const RegisterSnapshot saved = RegisterSnapshot::capture(target->pid());
            RemoteCall remote(tracee, memory, saved, belowRedZone(saved) & ~std::uint64_t { 15 });
            std::uint64_t block = 0;
            try {
                block = remote.call(allocator->malloc, { kBlock }, "malloc", Deadline(1s));
                remote.call(allocator->free, { block }, "free", Deadline(1s));
            } catch (const std::exception& e) {
                FAIL() << "stop " << i << " was called safe, but " << e.what() << "; the check saw: " << where;
            }
            EXPECT_NE(block, 0u);
            saved.restore(target->pid());
        } else if (verdict.why.find("allocator") != std::string::npos
            || verdict.why.find("tail-calls") != std::string::npos) {
            ++inAllocator;
        }
        tracee.detach();
        std::this_thread::sleep_for(std::chrono::microseconds(pause(random)));
    }
    // The stops did land where it matters, and the check did not refuse everything.
    EXPECT_GT(inAllocator, 0) << "no stop was inside the allocator: the test saw none of the windows that matter";
    EXPECT_GT(safe, kStops / 2);
    target->discardOutput();
    EXPECT_TRUE(target->waitForLine("beat", 10s)) << "the target stopped working";
}

INSTANTIATE_TEST_SUITE_P(CLibraries, SafePointInAllocator,
    ::testing::Values(PythonUnderTest { "this_machine", "/usr/bin/python3.11" }, sidPython()),
    [](const auto& info) { return info.param.label; });

} // namespace
