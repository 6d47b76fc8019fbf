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

// tests/unit/inject/python_layout.c, once per header set the build has.
struct gcscope_test_layout {
    unsigned long headersHex;
    size_t runtimeInitialized;
    size_t debugOffsetsGcSize;
};
extern "C" void gcscope_test_layout_py311(gcscope_test_layout*);
extern "C" void gcscope_test_layout_py313(gcscope_test_layout*) __attribute__((weak));
extern "C" void gcscope_test_layout_py314(gcscope_test_layout*) __attribute__((weak));
extern "C" void gcscope_test_layout_py315(gcscope_test_layout*) __attribute__((weak));
static void (*const kLayouts[])(gcscope_test_layout*)
    = { gcscope_test_layout_py311, gcscope_test_layout_py313, gcscope_test_layout_py314, gcscope_test_layout_py315 };

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

TEST(Discovery, GivenOtherPyenvVersions_WhenInspected_ThenEachGetsItsFormOrIsRefusedNamingWhy)
{
    struct Case {
        std::string version;
        bool attachable;
        std::string formOrReason; // the form when attachable, else part of the reason
    };
    const std::vector<Case> cases = {
        { "3.10.13", false, "gcscope attaches to CPython 3.11 to 3.15" },
        { "3.13.0", true, "py313" },
    };
    int tested = 0;
    for (const auto& c : cases) {
        const std::string minor = c.version.substr(0, c.version.rfind('.'));
        const std::string python = "/root/.pyenv/versions/" + c.version + "/bin/python" + minor;
        if (!std::filesystem::exists(python))
            continue;
        auto target = ChildProcess::spawn({ python, "-c", "import time; print('ready', flush=True); time.sleep(30)" });
        ASSERT_TRUE(target && target->waitForLine("ready", 10s)) << python;
        const ProcessInfo info = inspect(target->pid());
        EXPECT_TRUE(info.isPython) << python;
        ASSERT_TRUE(info.python) << python;
        EXPECT_EQ(info.python->str().substr(0, minor.size()), minor);
        EXPECT_EQ(info.attachable, c.attachable) << python << ": " << info.reason;
        std::string error;
        if (c.attachable) {
            EXPECT_EQ(info.support.form, c.formOrReason);
            EXPECT_FALSE(info.facts.freeThreaded);
            EXPECT_TRUE(waitForInterpreterReady(target->pid(), 5s, error)) << error;
        } else {
            EXPECT_NE(info.reason.find(c.formOrReason), std::string::npos) << info.reason;
            EXPECT_FALSE(waitForInterpreterReady(target->pid(), 2s, error));
            EXPECT_NE(error.find(c.formOrReason), std::string::npos) << error;
        }
        ++tested;
    }
    if (tested == 0)
        GTEST_SKIP() << "no other pyenv Python versions installed";
}

namespace {
const std::vector<std::string> kAllForms { "portable", "py311", "py313", "py314", "py315" };

Support supportOf(std::uint32_t hex, const std::vector<std::string>& available = kAllForms,
    const std::string& forced = {}, bool freeThreaded = false, std::optional<std::uint64_t> gcStateSize = std::nullopt)
{
    InterpreterFacts facts;
    facts.version = versionFromHex(hex);
    facts.freeThreaded = freeThreaded;
    facts.gcStateSize = gcStateSize;
    return supportFor(facts, available, forced);
}
} // namespace

TEST(VersionSupport, GivenEachVersion_WhenAsked_ThenItGetsItsExactFormOrThePortableOneOrARefusalByName)
{
    EXPECT_EQ(supportOf(0x030b02f0).form, "py311");
    EXPECT_EQ(supportOf(0x030b07f0).form, "py311");
    EXPECT_EQ(supportOf(0x030d00f0).form, "py313");
    EXPECT_EQ(supportOf(0x030d12f0).form, "py313");
    EXPECT_EQ(supportOf(0x030e05f0).form, "py314");
    EXPECT_EQ(supportOf(0x030e0af0).form, "py314");
    EXPECT_EQ(supportOf(0x030f02f0).form, "py315");
    for (auto hex : { 0x030b02f0u, 0x030d00f0u, 0x030e05f0u, 0x030f02f0u }) {
        EXPECT_FALSE(supportOf(hex).untested);
        EXPECT_EQ(supportOf(hex).gc, GcModel::Generational);
    }

    // No Debian package exists of 3.12 nor of the incremental 3.14.0 to 3.14.4: portable, said untested.
    const Support s312 = supportOf(0x030c03f0);
    EXPECT_TRUE(s312.supported);
    EXPECT_EQ(s312.form, "portable");
    EXPECT_TRUE(s312.untested);
    EXPECT_EQ(describeForm(s312), "portable, untested on this version");
    const Support s3140 = supportOf(0x030e00f0);
    EXPECT_EQ(s3140.form, "portable");
    EXPECT_TRUE(s3140.untested);
    EXPECT_EQ(s3140.gc, GcModel::Incremental);
    EXPECT_EQ(supportOf(0x030e04f0).gc, GcModel::Incremental);

    // Decided by what the interpreter is: its collector's state size wins over the patch level.
    EXPECT_EQ(supportOf(0x030e0af0, kAllForms, {}, false, 240).gc, GcModel::Incremental);
    EXPECT_EQ(supportOf(0x030e0af0, kAllForms, {}, false, 240).form, "portable");
    EXPECT_EQ(supportOf(0x030e02f0, kAllForms, {}, false, 264).form, "py314");

    // Refusals name the version and the reason.
    const Support older = supportOf(0x030a0df0);
    EXPECT_FALSE(older.supported);
    EXPECT_NE(older.reason.find("CPython 3.10.13"), std::string::npos) << older.reason;
    const Support newer = supportOf(0x031000f0);
    EXPECT_FALSE(newer.supported);
    EXPECT_NE(newer.reason.find("CPython 3.16.0 is newer than this gcscope"), std::string::npos) << newer.reason;
    const Support pre = supportOf(0x030f00c1);
    EXPECT_FALSE(pre.supported);
    EXPECT_NE(pre.reason.find("pre-release"), std::string::npos) << pre.reason;
    EXPECT_FALSE(supportOf(0x030b00a4).supported);
    for (auto hex : { 0x030d01f0u, 0x030e0af0u, 0x030f02f0u }) {
        const Support ft = supportOf(hex, kAllForms, {}, true);
        EXPECT_FALSE(ft.supported);
        EXPECT_NE(ft.reason.find("free-threaded build (PEP 703)"), std::string::npos) << ft.reason;
    }
    EXPECT_NE(supportFor(*versionFromFileName("libpython2.7.so")).reason.find("CPython 2.7"), std::string::npos);

    // A form that was not built falls back to the portable one; neither built: refused, named.
    EXPECT_EQ(supportOf(0x030d00f0, { "portable", "py311" }).form, "portable");
    EXPECT_FALSE(supportOf(0x030d00f0, { "py311" }).supported);
    EXPECT_NE(supportOf(0x030d00f0, { "py311" }).reason.find("py313"), std::string::npos);

    // Forcing: the portable form serves any supported version; an exact form only its own.
    EXPECT_EQ(supportOf(0x030f02f0, kAllForms, "portable").form, "portable");
    EXPECT_FALSE(supportOf(0x030f02f0, kAllForms, "portable").untested);
    EXPECT_FALSE(supportOf(0x030f02f0, kAllForms, "py313").supported);
    EXPECT_FALSE(supportOf(0x030a0df0, kAllForms, "portable").supported);

    EXPECT_EQ(generationName(GcModel::Generational, 2), "gen 2");
    EXPECT_EQ(generationName(GcModel::Incremental, 0), "young");
    EXPECT_FALSE(runtimeInitializedOffset(versionFromHex(0x031000f0)));
}

// The offsets the version table keeps, against each version's own headers (those the build has).
TEST(VersionSupport, GivenEachVersionsHeaders_WhenTheRuntimeLayoutIsCompared_ThenTheTableMatchesThem)
{
    int compared = 0;
    for (auto* layoutOf : kLayouts) {
        if (!layoutOf)
            continue;
        gcscope_test_layout layout {};
        layoutOf(&layout);
        const auto version = versionFromHex(static_cast<std::uint32_t>(layout.headersHex));
        SCOPED_TRACE(version.str());
        EXPECT_EQ(runtimeInitializedOffset(version), layout.runtimeInitialized);
        if (layout.debugOffsetsGcSize)
            EXPECT_EQ(debugOffsetsGcSizeOffset(version), layout.debugOffsetsGcSize);
        else
            EXPECT_FALSE(debugOffsetsGcSizeOffset(version));
        ++compared;
    }
    EXPECT_GE(compared, 1);
}
