#include "discovery/interpreter_ready.h"
#include "discovery/process_info.h"
#include "discovery/version_support.h"
#include "test_support.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace gcscope::discovery;
using namespace gcscope::test;

extern "C" size_t gcscope_test_python311_runtime_initialized_offset(void);
extern "C" unsigned long gcscope_test_python_headers_hex(void);

namespace {

std::unique_ptr<ChildProcess> startPython(const std::string& python, const std::string& mode = "busy")
{
    auto child = ChildProcess::spawn({ python, targetScript(), mode });
    if (child && !child->waitForLine("ready", 10s))
        return nullptr;
    return child;
}

ProcessInfo inspect(pid_t pid)
{
    std::string error;
    auto info = inspectProcess(pid, error);
    EXPECT_TRUE(info) << error;
    return info.value_or(ProcessInfo {});
}

bool waitForState(pid_t pid, char state)
{
    for (int i = 0; i < 400; ++i) {
        std::string error;
        if (auto info = inspectProcess(pid, error); info && info->state == state)
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

class DiscoveryOfPython : public ::testing::TestWithParam<PythonUnderTest> {
protected:
    void SetUp() override
    {
        if (!std::filesystem::exists(GetParam().path))
            GTEST_SKIP() << GetParam().path << " is not installed";
    }
};

} // namespace

TEST_P(DiscoveryOfPython, GivenARunningPython_WhenInspected_ThenItIsAnAttachablePython311WithItsExactVersion)
{
    auto target = startPython(GetParam().path);
    ASSERT_TRUE(target);
    const ProcessInfo info = inspect(target->pid());

    EXPECT_EQ(info.pid, target->pid());
    EXPECT_TRUE(info.isPython);
    ASSERT_TRUE(info.python);
    const auto hex = std::stoul(run(GetParam().path + " -c 'import sys; print(sys.hexversion)'"));
    EXPECT_EQ(info.python->hex, hex);
    EXPECT_EQ(info.python->major, 3);
    EXPECT_EQ(info.python->minor, 11);
    EXPECT_TRUE(info.attachable) << info.reason;
    EXPECT_TRUE(info.reason.empty());
    EXPECT_EQ(info.exe, std::filesystem::canonical(GetParam().path).string());
    ASSERT_GE(info.argv.size(), 3u);
    EXPECT_EQ(info.argv[1], targetScript());
    EXPECT_EQ(info.uid, ::geteuid());
    EXPECT_FALSE(info.user.empty());
    if (GetParam().label == "pyenv") {
        EXPECT_NE(info.pythonBinary.find("libpython3.11.so"), std::string::npos) << info.pythonBinary;
    } else {
        EXPECT_EQ(info.pythonBinary, info.exe);
    }
}

TEST_P(DiscoveryOfPython, GivenAStoppedPython_WhenInspected_ThenItIsNotAttachableAndTheReasonSaysHowToResumeIt)
{
    auto target = startPython(GetParam().path);
    ASSERT_TRUE(target);
    ::kill(target->pid(), SIGSTOP);
    ASSERT_TRUE(waitForState(target->pid(), 'T'));
    const ProcessInfo info = inspect(target->pid());
    ::kill(target->pid(), SIGCONT);

    EXPECT_TRUE(info.isPython);
    EXPECT_FALSE(info.attachable);
    EXPECT_NE(info.reason.find("kill -CONT " + std::to_string(target->pid())), std::string::npos) << info.reason;
}

TEST_P(DiscoveryOfPython, GivenAPythonTracedByUs_WhenInspected_ThenTheReasonNamesTheTracer)
{
    if (auto why = ptraceUnavailable())
        GTEST_SKIP() << *why;
    auto target = startPython(GetParam().path);
    ASSERT_TRUE(target);
    ASSERT_EQ(::ptrace(PTRACE_SEIZE, target->pid(), nullptr, nullptr), 0);
    const ProcessInfo info = inspect(target->pid());
    ::ptrace(PTRACE_INTERRUPT, target->pid(), nullptr, nullptr);
    ::waitpid(target->pid(), nullptr, __WALL);
    ::ptrace(PTRACE_DETACH, target->pid(), nullptr, nullptr);

    EXPECT_EQ(info.tracerPid, ::getpid());
    EXPECT_FALSE(info.attachable);
    EXPECT_NE(info.reason.find("already traced by PID " + std::to_string(::getpid())), std::string::npos)
        << info.reason;
}

TEST_P(DiscoveryOfPython, GivenAFreshlyStartedPython_WhenWaitingForItsInterpreter_ThenItBecomesReadyQuickly)
{
    auto target = ChildProcess::spawn({ GetParam().path, targetScript(), "busy" });
    ASSERT_TRUE(target);
    std::string error;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(waitForInterpreterReady(target->pid(), 10s, error)) << error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_TRUE(target->waitForLine("ready", 10s));
}

TEST_P(DiscoveryOfPython, GivenARunningPython_WhenListingPythonProcesses_ThenItIsListed)
{
    auto target = startPython(GetParam().path);
    ASSERT_TRUE(target);
    const auto all = listPythonProcesses();
    auto it = std::find_if(all.begin(), all.end(), [&](auto& p) { return p.pid == target->pid(); });
    ASSERT_NE(it, all.end());
    EXPECT_TRUE(it->attachable) << it->reason;
    EXPECT_TRUE(std::all_of(all.begin(), all.end(), [](auto& p) { return p.isPython; }));
}

INSTANTIATE_TEST_SUITE_P(BothPythons, DiscoveryOfPython, ::testing::ValuesIn(pythonsUnderTest()),
    [](const auto& info) { return info.param.label; });

TEST(Discovery, GivenSleep_WhenInspected_ThenItIsNotAPythonProcess)
{
    auto sleeper = ChildProcess::spawn({ "/bin/sleep", "100" });
    ASSERT_TRUE(sleeper);
    ASSERT_TRUE(waitForState(sleeper->pid(), 'S'));
    const ProcessInfo info = inspect(sleeper->pid());
    EXPECT_FALSE(info.isPython);
    EXPECT_FALSE(info.python);
    EXPECT_FALSE(info.attachable);
    EXPECT_NE(info.reason.find("not a Python process"), std::string::npos) << info.reason;
    const auto all = listPythonProcesses();
    EXPECT_TRUE(std::none_of(all.begin(), all.end(), [&](auto& p) { return p.pid == sleeper->pid(); }));

    std::string error;
    EXPECT_FALSE(waitForInterpreterReady(sleeper->pid(), 300ms, error));
    EXPECT_NE(error.find(std::to_string(sleeper->pid())), std::string::npos) << error;
    EXPECT_NE(error.find("not running Python"), std::string::npos) << error;
}

TEST(Discovery, GivenAZombie_WhenInspected_ThenTheReasonSaysZombie)
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ASSERT_TRUE(waitForState(child, 'Z'));
    const ProcessInfo info = inspect(child);
    ::waitpid(child, nullptr, 0);
    EXPECT_FALSE(info.attachable);
    EXPECT_NE(info.reason.find("zombie"), std::string::npos) << info.reason;
}

TEST(Discovery, GivenAPidThatCannotExist_WhenInspected_ThenTheErrorNamesIt)
{
    long pidMax = 4194304;
    std::ifstream("/proc/sys/kernel/pid_max") >> pidMax;
    const pid_t pid = static_cast<pid_t>(pidMax + 1);
    std::string error;
    EXPECT_FALSE(inspectProcess(pid, error));
    EXPECT_EQ(error, "no such process: " + std::to_string(pid));
}

TEST(Discovery, GivenARootPythonAndAnUnprivilegedInspector_WhenInspected_ThenTheReasonSaysNotPermitted)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to drop to another user";
    if (!std::filesystem::exists("/usr/bin/python3.11"))
        GTEST_SKIP() << "/usr/bin/python3.11 is not installed";
    auto target = startPython("/usr/bin/python3.11");
    ASSERT_TRUE(target);

    int pipeFds[2];
    ASSERT_EQ(::pipe(pipeFds), 0);
    const pid_t inspector = ::fork();
    if (inspector == 0) {
        ::close(pipeFds[0]);
        if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0)
            ::_exit(2);
        std::string error;
        auto info = inspectProcess(target->pid(), error);
        const std::string text = info ? (info->attachable ? "attachable" : info->reason) : error;
        [[maybe_unused]] auto n = ::write(pipeFds[1], text.data(), text.size());
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    char buffer[1024] = {};
    [[maybe_unused]] auto n = ::read(pipeFds[0], buffer, sizeof buffer - 1);
    ::close(pipeFds[0]);
    ::waitpid(inspector, nullptr, 0);
    const std::string reason = buffer;
    EXPECT_TRUE(reason.starts_with("not permitted")) << reason;
    EXPECT_NE(reason.find("uid 0"), std::string::npos) << reason;
}

TEST(Discovery, GivenOtherPyenvVersions_WhenInspected_ThenEachIsRefusedNamingTheFeature)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        { "3.10.13", "needs CPython 3.11" },
        { "3.12.1", "immortal objects" },
        { "3.13.0", "free-threading" },
    };
    int tested = 0;
    for (const auto& [version, feature] : cases) {
        const std::string minor = version.substr(0, version.rfind('.'));
        const std::string python = "/root/.pyenv/versions/" + version + "/bin/python" + minor;
        if (!std::filesystem::exists(python))
            continue;
        auto target = ChildProcess::spawn({ python, "-c", "import time; print('ready', flush=True); time.sleep(30)" });
        ASSERT_TRUE(target && target->waitForLine("ready", 10s)) << python;
        const ProcessInfo info = inspect(target->pid());
        EXPECT_TRUE(info.isPython) << python;
        ASSERT_TRUE(info.python) << python;
        EXPECT_EQ(info.python->str().substr(0, minor.size()), minor);
        EXPECT_FALSE(info.attachable) << python;
        EXPECT_NE(info.reason.find(feature), std::string::npos) << info.reason;

        std::string error;
        EXPECT_FALSE(waitForInterpreterReady(target->pid(), 2s, error));
        EXPECT_NE(error.find(feature), std::string::npos) << error;
        ++tested;
    }
    if (tested == 0)
        GTEST_SKIP() << "no other pyenv Python versions installed";
}

TEST(VersionSupport, GivenTheVersionTable_WhenAsked_ThenOnly311ReleasesAreSupported)
{
    EXPECT_TRUE(supportFor(versionFromHex(0x030b02f0)).supported);
    EXPECT_TRUE(supportFor(versionFromHex(0x030b07f0)).supported);
    EXPECT_FALSE(supportFor(versionFromHex(0x030b00a4)).supported);
    EXPECT_NE(supportFor(versionFromHex(0x030c01f0)).reason.find("immortal objects"), std::string::npos);
    EXPECT_NE(supportFor(versionFromHex(0x030d00f0)).reason.find("free-threading"), std::string::npos);
    const std::string reason314 = supportFor(versionFromHex(0x030e00f0)).reason;
    EXPECT_NE(reason314.find("two-generation"), std::string::npos) << reason314;
    EXPECT_NE(reason314.find("sys.remote_exec"), std::string::npos) << reason314;
    EXPECT_NE(supportFor(*versionFromFileName("libpython2.7.so")).reason.find("CPython 2.7"), std::string::npos);
    EXPECT_FALSE(runtimeInitializedOffset(versionFromHex(0x030c01f0)));
}

TEST(VersionSupport, GivenThe311Headers_WhenTheRuntimeLayoutIsCompared_ThenTheTableMatchesThem)
{
    const auto headers = versionFromHex(static_cast<std::uint32_t>(gcscope_test_python_headers_hex()));
    if (headers.major != 3 || headers.minor != 11)
        GTEST_SKIP() << "the installed Python headers are " << headers.str() << ", not 3.11";
    EXPECT_EQ(runtimeInitializedOffset(headers), gcscope_test_python311_runtime_initialized_offset());
}
