// The snapshot child's frame protocol with its parent (snapshot_child.h), with real clones: the
// parent stops a child whose walk runs past its budget only between two frames, never inside one
// (that would leave half a frame on the profiler's connection), and time spent inside frames (the
// profiler reading) does not count against the walk.
#include "clock.h"
#include "snapshot_child.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace gcscope::agent {
namespace {

void sleepMs(int ms)
{
    timespec t { 0, ms * 1'000'000L };
    while (nanosleep(&t, &t) < 0 && errno == EINTR) { }
}

// What the child did, one byte per step, on a pipe the parent reads after the child is gone:
// 'B' a frame begun, 'E' a frame ended, 'R' a frame refused (the parent had stopped the walk).
class ChildRun {
public:
    ChildRun()
    {
        EXPECT_EQ(pipe2(fds_, O_CLOEXEC), 0);
        EXPECT_TRUE(child_.prepare());
    }
    ~ChildRun()
    {
        ::close(fds_[0]);
        if (fds_[1] >= 0)
            ::close(fds_[1]);
    }

    // frames: how many; outsideMs and insideMs: the time spent walking between frames and sending
    // inside each; then the child ends as `ending` says.
    enum class Ending { Sent, FailsBetweenFrames, DiesInsideAFrame };
    SnapshotChild::Result run(int frames, int outsideMs, int insideMs, Ending ending, std::int64_t budgetNs)
    {
        const pid_t pid = child_.spawn();
        if (pid == 0) {
            SnapshotChild::enterChild();
            for (int i = 0; i < frames; ++i) {
                sleepMs(outsideMs);
                if (!child_.beginFrame()) {
                    note('R');
                    child_.finishInChild(false, EPIPE, "stopped");
                }
                note('B');
                const std::int64_t start = monotonicNs();
                sleepMs(insideMs);
                if (ending == Ending::DiesInsideAFrame && i == frames - 1)
                    ::kill(getpid(), SIGKILL); // blocked signals do not hold SIGKILL off
                note('E');
                child_.endFrame(monotonicNs() - start, ending == Ending::Sent && i == frames - 1);
            }
            if (ending == Ending::FailsBetweenFrames)
                child_.finishInChild(false, ENOMEM, "not enough memory for the snapshot of this heap");
            child_.finishInChild(true, 0, nullptr);
        }
        EXPECT_GT(pid, 0);
        ::close(fds_[1]);
        fds_[1] = -1;
        auto result = child_.wait(budgetNs);
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fds_[0], buffer, sizeof buffer)) > 0)
            steps_.append(buffer, static_cast<std::size_t>(n));
        return result;
    }
    const std::string& steps() const { return steps_; }

private:
    void note(char step) { (void)!::write(fds_[1], &step, 1); }

    int fds_[2] { -1, -1 };
    SnapshotChild child_;
    std::string steps_;
};

std::size_t countOf(const std::string& s, char c)
{
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), c));
}

TEST(SnapshotChildFrames, GivenAChildWhoseTimeGoesIntoSendingThenItIsNotStoppedHoweverLongTheProfilerTakes)
{
    ChildRun run;
    // 0.6 s inside frames against a budget of 0.15 s for the walk, which takes about 10 ms.
    const auto result = run.run(12, 1, 50, ChildRun::Ending::Sent, 150'000'000);
    EXPECT_EQ(result.outcome, SnapshotChild::Outcome::Sent) << result.message;
    std::string expected;
    for (int i = 0; i < 12; ++i)
        expected += "BE";
    EXPECT_EQ(run.steps(), expected);
}

TEST(SnapshotChildFrames, GivenAWalkPastItsBudgetThenTheChildIsStoppedBetweenTwoFramesNeverInsideOne)
{
    // Each round: 20 ms walking, then 60 ms inside a frame. A budget of 100 ms of walking runs out in
    // the fifth or sixth round (the second, were the time inside frames counted); the parent may only
    // stop the child between frames.
    for (int attempt = 0; attempt < 3; ++attempt) {
        ChildRun run;
        const auto result = run.run(1000, 20, 60, ChildRun::Ending::Sent, 100'000'000);
        EXPECT_EQ(result.outcome, SnapshotChild::Outcome::Stalled) << result.message;
        EXPECT_EQ(result.code, static_cast<std::uint32_t>(ETIMEDOUT));
        EXPECT_NE(result.message.find("did not finish its walk in time"), std::string::npos) << result.message;
        const std::string& steps = run.steps();
        EXPECT_EQ(countOf(steps, 'B'), countOf(steps, 'E')) << "stopped inside a frame: " << steps;
        EXPECT_GE(countOf(steps, 'B'), 4u) << "time inside frames counted against the walk: " << steps;
        EXPECT_LE(countOf(steps, 'B'), 8u) << "not stopped when the budget ran out: " << steps;
    }
}

TEST(SnapshotChildFrames, GivenAChildThatFailsBetweenFramesThenTheParentHearsWhyAndTheConnectionIsWhole)
{
    ChildRun run;
    const auto result = run.run(3, 1, 1, ChildRun::Ending::FailsBetweenFrames, 10'000'000'000);
    EXPECT_EQ(result.outcome, SnapshotChild::Outcome::Failed);
    EXPECT_EQ(result.code, static_cast<std::uint32_t>(ENOMEM));
    EXPECT_EQ(result.message, "not enough memory for the snapshot of this heap");
    EXPECT_EQ(run.steps(), "BEBEBE");
}

TEST(SnapshotChildFrames, GivenAChildThatDiesInsideAFrameThenTheParentKnowsTheConnectionIsBroken)
{
    ChildRun run;
    const auto result = run.run(3, 1, 1, ChildRun::Ending::DiesInsideAFrame, 10'000'000'000);
    EXPECT_EQ(result.outcome, SnapshotChild::Outcome::DiedWhileSending);
    EXPECT_EQ(run.steps(), "BEBEB");
}

} // namespace
} // namespace gcscope::agent
