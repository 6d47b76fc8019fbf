// util::goFirstWhenMemoryRunsOut: gcscope is the process the kernel's OOM killer ends first, and a
// program it starts (`gcscope run`, the GUI's Launch) keeps the score gcscope started with. Each
// test runs in a forked child: the score is the whole process's, and the test program's own stays.
#include "session/launch.h"
#include "util/oom_priority.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

namespace gcscope {
namespace {

// Runs `body` in a forked child; its exit status (0 = passed, 77 = skipped) with what it printed.
int inChild(int (*body)())
{
    const pid_t pid = ::fork();
    if (pid == 0)
        _exit(body());
    int status = -1;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int scoreOf(pid_t pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/oom_score_adj");
    int value = -2000;
    file >> value;
    return value;
}

TEST(OomPriority, GivenGcscopeAsksToGoFirst_ThenItsScoreIsTheTopAndAProgramItStartsKeepsTheOldOne)
{
    const auto before = util::oomScoreAdjustment();
    if (!before)
        GTEST_SKIP() << "no /proc/self/oom_score_adj here";
    ASSERT_LT(*before, 1000) << "this test's own process already goes first: nothing to see";
    const int result = inChild([] {
        const int original = *util::oomScoreAdjustment();
        if (!util::goFirstWhenMemoryRunsOut() || util::oomScoreAdjustment() != 1000)
            return 1;
        if (!util::goFirstWhenMemoryRunsOut() || util::oomScoreAdjustment() != 1000)
            return 2; // asked again: nothing changes
        pid_t child = 0;
        try {
            child = session::launchPython({ "python3", "-c", "import time; time.sleep(60)" });
        } catch (const session::LaunchError& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 77; // no python3 to start, or it may not be traced here
        }
        const int childScore = scoreOf(child);
        session::terminateChild(child, SIGKILL, std::chrono::milliseconds(100));
        if (childScore != original)
            return 3;
        return util::oomScoreAdjustment() == 1000 ? 0 : 4; // ours is back at the top after the start
    });
    if (result == 77)
        GTEST_SKIP() << "python3 could not be started and attached to here (see the message above)";
    EXPECT_NE(result, 1) << "the score did not go to 1000";
    EXPECT_NE(result, 2) << "asking twice changed it";
    EXPECT_NE(result, 3) << "the program started got gcscope's raised score, not the one gcscope started with";
    EXPECT_NE(result, 4) << "gcscope's score did not go back to 1000 after the start";
    EXPECT_EQ(result, 0);
    EXPECT_EQ(util::oomScoreAdjustment(), before) << "the test program's own score changed";
}

} // namespace
} // namespace gcscope
