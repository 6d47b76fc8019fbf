#include "inject/injector.h"
#include "reach_as_user.h"
#include "test_support.h"

#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace gcscope::inject;
using namespace gcscope::test;

namespace {

constexpr const char* kEntry = "probe_start";

class InjectInto : public ::testing::TestWithParam<PythonUnderTest> {
protected:
    void SetUp() override
    {
        if (auto why = pythonUnavailable(GetParam(), python_))
            GTEST_SKIP() << *why;
        if (auto why = ptraceUnavailable())
            GTEST_SKIP() << *why;
        ASSERT_TRUE(folder_.ok()) << "cannot make a folder in " << GetParam().root << "/tmp";
        // What the target opens must be where it can see it: in its root, when it runs in one.
        if (!GetParam().root.empty()) {
            script_ = folder_.copyIn(script_);
            probe_ = folder_.copyIn(probe_);
            unresolvedProbe_ = folder_.copyIn(unresolvedProbe_);
            ASSERT_FALSE(script_.empty() || probe_.empty() || unresolvedProbe_.empty())
                << "cannot copy the target and the probes into " << GetParam().root;
        }
    }

    std::unique_ptr<ChildProcess> start(const std::string& mode, const std::string& argument = {})
    {
        std::vector<std::string> arguments = { script_, mode };
        if (!argument.empty())
            arguments.push_back(argument);
        auto child = ChildProcess::spawn(pythonArgv(GetParam(), python_, arguments));
        if (!child)
            return nullptr;
        readyLine_ = child->waitForLine("ready", 10s).value_or("");
        return readyLine_.empty() ? nullptr : std::move(child);
    }

    // The probe's file: its path as the target sees it, and what it holds.
    std::string probeOutput() const { return folder_.inside() + "/probe.txt"; }
    std::string probeWritten() const { return readFile(folder_.host(probeOutput())); }

    InjectResult injectProbe(pid_t pid, const std::string& options = {}, const InjectOptions& inject = {})
    {
        return injectLibrary(pid, probe_, kEntry, probeOutput() + options, inject);
    }

    // Two injections in a row: both load, the second reaches the same loaded copy.
    void injectTwice(ChildProcess& target)
    {
        for (int expectedCalls : { 1, 2 }) {
            const InjectResult r = injectProbe(target.pid());
            ASSERT_TRUE(r.ok) << r.error;
            EXPECT_EQ(r.entryResult, expectedCalls);
            EXPECT_EQ(r.thread, target.pid());
            EXPECT_TRUE(r.error.empty());
        }
        const std::string written = probeWritten();
        EXPECT_EQ(countLines(written), 2u) << written;
        EXPECT_NE(written.find("pid=" + std::to_string(target.pid()) + " calls=2"), std::string::npos) << written;
    }

    // New heartbeats, written after this call: the main thread runs Python again.
    void expectKeepsBeating(ChildProcess& target)
    {
        target.discardOutput();
        EXPECT_TRUE(target.alive());
        EXPECT_TRUE(target.waitForLine("beat", 10s)) << "no heartbeat after injection";
        EXPECT_TRUE(target.waitForLine("beat", 10s)) << "heartbeats stopped after injection";
        EXPECT_TRUE(target.alive());
    }

    // Holds until the main thread is blocked in one of `syscalls` (the state under test).
    static void waitForMainThreadIn(pid_t pid, std::initializer_list<long> syscalls)
    {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            const long now = currentSyscall(pid);
            if (std::find(syscalls.begin(), syscalls.end(), now) != syscalls.end())
                return;
            std::this_thread::sleep_for(5ms);
        }
        FAIL() << "the main thread never blocked in the expected syscall (now in " << currentSyscall(pid) << ")";
    }

    RootFolder folder_ { GetParam().root };
    std::string python_; // as the target sees it
    std::string script_ = targetScript();
    std::string probe_ = GCSCOPE_TEST_PROBE;
    std::string unresolvedProbe_ = GCSCOPE_TEST_PROBE_UNRESOLVED;
    std::string readyLine_;
};

} // namespace

TEST_P(InjectInto, GivenAMainThreadBusyInPurePython_WhenInjectedTwice_ThenBothCallsRunAndItKeepsWorking)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    injectTwice(*target);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAMainThreadInTimeSleep_WhenInjectedTwice_ThenTheSleepStillLastsItsFullDuration)
{
    constexpr double kSleep = 2.0;
    auto target = start("sleep", std::to_string(kSleep));
    ASSERT_TRUE(target);
    waitForMainThreadIn(target->pid(), { SYS_clock_nanosleep, SYS_nanosleep, SYS_select });
    injectTwice(*target);
    auto slept = target->waitForLine("slept", 10s);
    ASSERT_TRUE(slept);
    const double seconds = std::stod(slept->substr(6));
    EXPECT_GT(seconds, kSleep * 0.9);
    EXPECT_LT(seconds, kSleep * 1.1);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAMainThreadBlockedInSocketAccept_WhenInjectedTwice_ThenItStillAcceptsAConnection)
{
    auto target = start("accept");
    ASSERT_TRUE(target);
    waitForMainThreadIn(target->pid(), { SYS_accept4, SYS_accept });
    injectTwice(*target);
    waitForMainThreadIn(target->pid(), { SYS_accept4, SYS_accept }); // restarted, not failed with EINTR

    const int port = std::stoi(readyLine_.substr(6));
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_TRUE(target->waitForLine("accepted", 10s));
    ::close(client);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAMainThreadInOsReadOnAPipe_WhenInjectedTwice_ThenTheReadStillGetsTheData)
{
    auto target = start("read");
    ASSERT_TRUE(target);
    waitForMainThreadIn(target->pid(), { SYS_read });
    injectTwice(*target);
    target->writeStdin("hello\n");
    auto line = target->waitForLine("read", 10s);
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "read hello");
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAMainThreadInASelectorsEpollWait_WhenInjectedTwice_ThenTheSelectStillWakesUp)
{
    auto target = start("select");
    ASSERT_TRUE(target);
    EXPECT_EQ(readyLine_, "ready EpollSelector");
    waitForMainThreadIn(target->pid(), { SYS_epoll_wait, SYS_epoll_pwait });
    injectTwice(*target);
    target->writeStdin("go\n");
    auto line = target->waitForLine("selected", 10s);
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "selected go");
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAnotherThreadHoldingTheGilInABusyLoop_WhenInjectedTwice_ThenTheMainThreadKeepsWorking)
{
    auto target = start("gil");
    ASSERT_TRUE(target);
    injectTwice(*target);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAMultiThreadedAllocatingTarget_WhenInjectedTwice_ThenItKeepsWorking)
{
    auto target = start("threads");
    ASSERT_TRUE(target);
    injectTwice(*target);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenALibraryWithAnUnresolvableSymbol_WhenInjected_ThenDlerrorsReasonIsReportedAndTheTargetSurvives)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    const InjectResult r = injectLibrary(target->pid(), unresolvedProbe_, kEntry, probeOutput());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("process " + std::to_string(target->pid())), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("gcscope_symbol_that_does_not_exist"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
    expectKeepsBeating(*target);
    const InjectResult again = injectProbe(target->pid());
    EXPECT_TRUE(again.ok) << again.error;
}

TEST_P(InjectInto, GivenANonexistentLibrary_WhenInjected_ThenTheErrorSaysSoAndTheTargetIsNeverStopped)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    const InjectResult r = injectLibrary(target->pid(), "/nonexistent/libgcscope_nothing.so", kEntry, probeOutput());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("process " + std::to_string(target->pid())), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("/nonexistent/libgcscope_nothing.so does not exist"), std::string::npos) << r.error;
    EXPECT_EQ(r.safePointRetries, 0);
    expectKeepsBeating(*target);
}

TEST_P(InjectInto, GivenAnEntryFunctionSlowerThanTheTimeout_WhenInjected_ThenItTimesOutAndTheTargetIsRestored)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    InjectOptions options;
    options.timeout = 1000ms;
    const auto started = std::chrono::steady_clock::now();
    const InjectResult r = injectProbe(target->pid(), ";sleep=5000", options);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("timed out: the remote call of probe_start had not returned"), std::string::npos) << r.error;
    // Where it was: the probe's sleep, and nothing beyond our call's frame.
    EXPECT_NE(r.error.find("the thread was in "), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("<- probe_start (libgcscope_test_probe.so+0x"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("unwinding failed"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("may now hang"), std::string::npos) << r.error; // not in the loader
    expectKeepsBeating(*target);
    const InjectResult again = injectProbe(target->pid());
    EXPECT_TRUE(again.ok) << again.error;
    EXPECT_EQ(again.entryResult, 2); // the same loaded copy
}

TEST_P(InjectInto, GivenATargetThatExitsDuringTheEntryCall_WhenInjected_ThenTheErrorSaysSo)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    const InjectResult r = injectProbe(target->pid(), ";exit=7");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("exited with status 7"), std::string::npos) << r.error;
    EXPECT_FALSE(target->alive());
}

TEST_P(InjectInto, GivenASignalArrivingDuringTheRemoteCall_WhenInjected_ThenItIsDeliveredAfterwards)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    // Send SIGUSR1 once the probe has written its line, i.e. while the probe sleeps on our call.
    std::thread sender([&] {
        for (int i = 0; i < 1000 && countLines(probeWritten()) == 0; ++i)
            std::this_thread::sleep_for(2ms);
        ::kill(target->pid(), SIGUSR1);
    });
    const InjectResult r = injectProbe(target->pid(), ";sleep=300");
    sender.join();
    ASSERT_TRUE(r.ok) << r.error;
    // The Python-level handler counts it once; the heartbeat shows the count.
    EXPECT_TRUE(target->waitForLine("beat", 5s));
    std::optional<std::string> line;
    while ((line = target->readLine(5s)) && line->find("usr1=0") != std::string::npos) { }
    ASSERT_TRUE(line) << "the held SIGUSR1 never reached the target";
    EXPECT_NE(line->find("usr1=1"), std::string::npos) << *line;
}

TEST_P(InjectInto, GivenAStoppedTarget_WhenInjected_ThenItIsRefusedWithHowToResumeIt)
{
    auto target = start("busy");
    ASSERT_TRUE(target);
    ::kill(target->pid(), SIGSTOP);
    for (int i = 0;
         i < 200 && readFile("/proc/" + std::to_string(target->pid()) + "/stat").find(") T") == std::string::npos; ++i)
        std::this_thread::sleep_for(5ms);
    const InjectResult r = injectProbe(target->pid());
    ::kill(target->pid(), SIGCONT);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("kill -CONT " + std::to_string(target->pid())), std::string::npos) << r.error;
    expectKeepsBeating(*target);
}

INSTANTIATE_TEST_SUITE_P(
    Pythons, InjectInto, ::testing::ValuesIn(injectTargets()), [](const auto& info) { return info.param.label; });

TEST(Inject, GivenATargetOfAnotherUserAndALibraryOnlyRootCanRead_WhenInjected_ThenTheErrorNamesThePermission)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to start a target as another user";
    if (!std::filesystem::exists("/usr/bin/python3.11") || !std::filesystem::exists("/usr/bin/setpriv"))
        GTEST_SKIP() << "needs /usr/bin/python3.11 and setpriv";
    if (auto why = ptraceUnavailable())
        GTEST_SKIP() << *why;
    const RootFolder dir; // on this machine
    ::chmod(dir.inside().c_str(), 0777);
    // The target loads the probe and writes its output in `dir`: both must be within its reach.
    if (auto why = unreachableAs(65534, 65534, { GCSCOPE_TEST_PROBE, dir.inside() }))
        GTEST_SKIP() << *why;
    const std::string privateCopy = dir.inside() + "/probe_private.so";
    std::filesystem::copy_file(GCSCOPE_TEST_PROBE, privateCopy);
    ::chmod(privateCopy.c_str(), 0600);

    auto target = ChildProcess::spawn({ "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "/usr/bin/python3.11", "-c",
        "import time\nprint('ready', flush=True)\nwhile True:\n    time.sleep(0.05)\n    print('beat', flush=True)" });
    ASSERT_TRUE(target && target->waitForLine("ready", 10s));

    const InjectResult denied = injectLibrary(target->pid(), privateCopy, kEntry, dir.inside() + "/out.txt");
    EXPECT_FALSE(denied.ok);
    EXPECT_NE(denied.error.find("not readable by the target's user"), std::string::npos) << denied.error;
    EXPECT_NE(denied.error.find("uid 65534"), std::string::npos) << denied.error;
    EXPECT_TRUE(target->waitForLine("beat", 5s));

    // The same library where that user can read it loads fine: the check is about the reader.
    const InjectResult ok = injectLibrary(target->pid(), GCSCOPE_TEST_PROBE, kEntry, dir.inside() + "/out.txt");
    EXPECT_TRUE(ok.ok) << ok.error;
    EXPECT_TRUE(target->waitForLine("beat", 5s));
}

TEST(Inject, GivenAPidThatDoesNotExist_WhenInjected_ThenTheErrorNamesIt)
{
    const InjectResult r = injectLibrary(4194304 + 1, GCSCOPE_TEST_PROBE, kEntry, "/dev/null");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "cannot inject into process 4194305: no such process");
}
