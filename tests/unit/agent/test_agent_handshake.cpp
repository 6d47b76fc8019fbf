// The agent's start function and its first words to the profiler.
#include "agent_fixture.h"

#include <cerrno>

namespace gcscope::test {
namespace {

using wire::MessageType;

class AgentHandshake : public AgentTarget { };

TEST_P(AgentHandshake, GivenATargetWhenTheAgentStartsThenHelloCarriesTokenPidAndVersions)
{
    auto hello = attach();
    EXPECT_EQ(hello.token, endpoint->token());
    EXPECT_EQ(hello.pid, baseline["pid"].get<std::uint32_t>());
    EXPECT_EQ(hello.pythonVersionHex, baseline["hexversion"].get<std::uint32_t>())
        << std::hex << hello.pythonVersionHex;
    EXPECT_EQ(hello.agentVersion, wire::kAgentVersion);
    EXPECT_EQ(hello.pythonExecutable, baseline["executable"].get<std::string>());
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
    EXPECT_LT(std::llabs(now - hello.clockNs), 10'000'000'000LL);
    detach();
}

TEST_P(AgentHandshake, GivenARunningAgentWhenStartedAgainThenItSaysBusy)
{
    attach();
    EXPECT_EQ(start(), -EBUSY);
    detach();
}

TEST_P(AgentHandshake, GivenABadConfigurationWhenStartingThenItIsRefusedWithoutAThread)
{
    EXPECT_EQ(start("v=1;sock=/tmp/x;token=short"), -EINVAL);
    EXPECT_EQ(start("v=2;sock=/tmp/x;token=0123456789abcdef0123456789abcdef"), -EINVAL);
    auto reply = host->command("start"); // a NULL config
    EXPECT_EQ(reply.value("rc", 0), -EINVAL);
    expectBaselineRestored();
}

TEST_P(AgentHandshake, GivenAProfilerThatNeverConfiguresWhenAnotherFrameComesFirstThenTheAgentLeaves)
{
    ASSERT_EQ(start(), 0);
    ASSERT_TRUE(endpoint->accept());
    ASSERT_TRUE(endpoint->readType(MessageType::Hello));
    ASSERT_TRUE(endpoint->send(MessageType::CensusNow));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

TEST_P(AgentHandshake, GivenAZeroIntervalWhenReconfiguringThenItIsRefusedAndSamplingGoesOn)
{
    attach(20);
    wire::ConfigureRecord configure;
    configure.intervalMs = 0;
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Configure, configure));
    auto error = endpoint->readType(MessageType::Error);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->as<wire::ErrorRecord>().code, static_cast<std::uint32_t>(EINVAL));
    EXPECT_TRUE(endpoint->readType(MessageType::Sample, 1s)) << "sampling stopped";
    detach();
}

INSTANTIATE_TEST_SUITE_P(Python311, AgentHandshake, ::testing::ValuesIn(exactInterpreters()), interpreterName);
INSTANTIATE_TEST_SUITE_P(Portable, AgentHandshake, ::testing::ValuesIn(portableInterpreters()), interpreterName);

// Other versions: the 3.11 agent loads (it has no CPython symbol of its own), says why it cannot
// work and leaves without touching the interpreter. (The profiler never sends it there: this is the
// agent's own gate.)
class UnsupportedPython : public AgentTarget { };

TEST_P(UnsupportedPython, GivenAnotherPythonVersionWhenTheAgentStartsThenItSaysErrorAndByeAndLeaves)
{
    ASSERT_EQ(start(), 0);
    ASSERT_TRUE(endpoint->accept());
    auto hello = endpoint->readType(MessageType::Hello);
    ASSERT_TRUE(hello.has_value());
    auto version = hello->as<wire::HelloRecord>().pythonVersionHex;
    EXPECT_NE(version >> 16, 0x030bu);
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Configure, wire::ConfigureRecord {}));
    auto error = endpoint->readType(MessageType::Error);
    ASSERT_TRUE(error.has_value());
    char expected[128];
    std::snprintf(expected, sizeof expected, "Python %u.%u.%u is not the version this agent was built for (3.11)",
        version >> 24, (version >> 16) & 0xff, (version >> 8) & 0xff);
    EXPECT_EQ(error->as<wire::ErrorRecord>().message, expected);
    auto bye = endpoint->readType(MessageType::Bye);
    ASSERT_TRUE(bye.has_value());
    EXPECT_EQ(bye->as<wire::ByeRecord>().reason, "unsupported python");
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

INSTANTIATE_TEST_SUITE_P(OtherVersions, UnsupportedPython,
    ::testing::Values(TestInterpreter { "pyenv_3_12_1", "/root/.pyenv/versions/3.12.1/bin/python3.12", "", "py311" },
        TestInterpreter { "pyenv_3_10_13", "/root/.pyenv/versions/3.10.13/bin/python3.10", "", "py311" }),
    interpreterName);

} // namespace
} // namespace gcscope::test
