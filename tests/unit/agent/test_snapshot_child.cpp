// The snapshot child's frame protocol with its parent (snapshot_child.h), with real clones: the
// parent stops a child whose walk runs past its budget only between two frames, never inside one
// (that would leave half a frame on the profiler's connection), and time spent inside frames (the
// profiler reading) does not count against the walk. And the child holds none of the target's
// files but its connection.
#include "clock.h"
#include "snapshot_child.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace gcscope::agent {
namespace {

void sleepMs(int ms)
{
    timespec t { ms / 1000, (ms % 1000) * 1'000'000L };
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
            SnapshotChild::enterChild(fds_[1]);
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

    // A child that does `walk` and ends well, for tests of what it holds.
    template <class Walk> pid_t spawnChild(Walk walk)
    {
        const pid_t pid = child_.spawn();
        if (pid == 0) {
            SnapshotChild::enterChild(fds_[1]);
            walk();
            child_.finishInChild(true, 0, nullptr);
        }
        ::close(fds_[1]);
        fds_[1] = -1;
        return pid;
    }
    SnapshotChild::Result waitForChild() { return child_.wait(10'000'000'000); }

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

// The target's files, as a child of it finds them: a pipe's write end, /dev/null, one at a high
// number and one at 0. closeEveryDescriptorBut must leave only `keep`, by each of its methods.
void expectOnlyTheConnectionLeft(CloseMethod how)
{
    int report[2];
    ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
    int pipeOfTheTarget[2];
    ASSERT_EQ(pipe(pipeOfTheTarget), 0);
    const int devNull = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(devNull, 0);
    const int high = ::dup2(devNull, 1000);
    ASSERT_EQ(high, 1000);
    const int targets[] = { pipeOfTheTarget[0], pipeOfTheTarget[1], devNull, high, 0 };
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        closeEveryDescriptorBut(report[1], how);
        for (int fd : targets) {
            const char state = fcntl(fd, F_GETFD) < 0 && errno == EBADF ? 'C' : 'O';
            (void)!::write(report[1], &state, 1);
        }
        // Nothing else either: the first number an open() gets is the lowest free one.
        const int next = ::open("/dev/null", O_RDONLY);
        const char lowest = next == 0 ? 'L' : 'N';
        (void)!::write(report[1], &lowest, 1);
        _exit(0);
    }
    ::close(report[1]);
    std::string states;
    char buffer[64];
    ssize_t n;
    while ((n = ::read(report[0], buffer, sizeof buffer)) > 0)
        states.append(buffer, static_cast<std::size_t>(n));
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(states, "CCCCCL") << "C closed, O open, for the pipe's two ends, /dev/null, 1000 and 0; then L when "
                                   "the next open() took 0";
    for (int fd : { report[0], pipeOfTheTarget[0], pipeOfTheTarget[1], devNull, high })
        ::close(fd);
}

TEST(SnapshotChildDescriptors, GivenTheTargetsFilesOpenThenTheChildKeepsOnlyItsConnection)
{
    expectOnlyTheConnectionLeft(CloseMethod::Best);
}

TEST(SnapshotChildDescriptors, GivenNoCloseRangeThenProcSelfFdListsWhatTheChildCloses)
{
    expectOnlyTheConnectionLeft(CloseMethod::ProcSelfFd);
}

TEST(SnapshotChildDescriptors, GivenNoProcThenTheChildClosesEveryNumberBelowItsLimit)
{
    expectOnlyTheConnectionLeft(CloseMethod::EveryNumber);
}

TEST(SnapshotChildDescriptors, GivenATargetClosingAPipeWhileTheChildWalksThenTheReaderSeesEndOfFileAtOnce)
{
    // What asyncio's subprocess pipes showed: the target closes its write end and its reader waits
    // for EOF, which must not wait for the snapshot child's end (here a walk of 1.5 s).
    int pipeOfTheTarget[2];
    ASSERT_EQ(pipe2(pipeOfTheTarget, O_CLOEXEC), 0);
    ChildRun run;
    const pid_t pid = run.spawnChild([] { sleepMs(1500); });
    ASSERT_GT(pid, 0);
    ::close(pipeOfTheTarget[1]);
    pollfd readable { pipeOfTheTarget[0], POLLIN, 0 };
    const std::int64_t start = monotonicNs();
    const int ready = ::poll(&readable, 1, 1000);
    const std::int64_t waitedNs = monotonicNs() - start;
    char c;
    const ssize_t n = ready == 1 ? ::read(pipeOfTheTarget[0], &c, 1) : -1;
    const auto result = run.waitForChild();
    EXPECT_EQ(result.outcome, SnapshotChild::Outcome::Sent) << result.message;
    EXPECT_EQ(ready, 1) << "no EOF within 1 s: the child still holds the pipe's write end";
    EXPECT_EQ(n, 0);
    EXPECT_LT(waitedNs, 1'000'000'000);
    ::close(pipeOfTheTarget[0]);
}

// Whether this process's name (/proc/self/comm) is the snapshot child's.
bool takenTheChildsName()
{
    char name[32] = {};
    const int fd = ::open("/proc/self/comm", O_RDONLY);
    if (fd >= 0) {
        (void)!::read(fd, name, sizeof name - 1);
        ::close(fd);
    }
    return std::string(name).rfind("gcscope-snap", 0) == 0;
}

// What runs before the child takes its name (the page warmer, reading /proc/self/maps) runs with
// every descriptor but the connection closed and the name still the clone's: whoever finds the
// child by its name never sees the file it opened there.
TEST(SnapshotChildDescriptors, GivenAHookBeforeTheNameThenItRunsWithOnlyTheConnectionAndBeforeTheName)
{
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        struct Seen {
            int descriptors = -1;
            bool named = true;
        } seen;
        SnapshotChild::enterChild(
            fds[1],
            [](void* context) {
                auto& s = *static_cast<Seen*>(context);
                s.named = takenTheChildsName();
                int n = 0;
                for (int fd = 0; fd < 1024; ++fd)
                    n += ::fcntl(fd, F_GETFD) >= 0 ? 1 : 0;
                s.descriptors = n;
            },
            &seen);
        if (seen.descriptors != 1)
            _exit(1);
        if (seen.named)
            _exit(2);
        _exit(takenTheChildsName() ? 0 : 3);
    }
    ::close(fds[1]);
    int status = -1;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ::close(fds[0]);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 1) << "the hook saw descriptors besides the connection";
    EXPECT_NE(WEXITSTATUS(status), 2) << "the hook ran after the child took its name";
    EXPECT_NE(WEXITSTATUS(status), 3) << "the child did not take its name after the hook";
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

// This process's oom_score_adj, or -2000 when unreadable.
int oomScoreAdjustment()
{
    char text[16] = {};
    const int fd = ::open("/proc/self/oom_score_adj", O_RDONLY);
    if (fd < 0)
        return -2000;
    (void)!::read(fd, text, sizeof text - 1);
    ::close(fd);
    return std::atoi(text);
}

// The child shares the target's pages, so the OOM killer scores it about as high as the target: it
// asks to be ended first, and the target (the parent here) keeps its own score.
TEST(SnapshotChildDescriptors, GivenAChildThenTheOomKillerEndsItFirstAndTheTargetKeepsItsScore)
{
    const int before = oomScoreAdjustment();
    if (before == -2000)
        GTEST_SKIP() << "no /proc/self/oom_score_adj here";
    ASSERT_LT(before, 1000) << "this test's own process already goes first: nothing to see";
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        SnapshotChild::enterChild(fds[1]);
        _exit(oomScoreAdjustment() == 1000 ? 0 : 1);
    }
    ::close(fds[1]);
    ::close(fds[0]);
    int status = -1;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's oom_score_adj is not 1000";
    EXPECT_EQ(oomScoreAdjustment(), before);
}

} // namespace
} // namespace gcscope::agent
