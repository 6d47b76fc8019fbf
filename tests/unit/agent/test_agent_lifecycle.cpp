// Leaving the target as it was found: on Detach, when the profiler dies, on a protocol error, and
// starting again afterwards.
#include "agent_fixture.h"

#include <algorithm>
#include <string>
#include <vector>

namespace gcscope::test {
namespace {

using wire::MessageType;

class AgentLifecycle : public AgentTarget { };

TEST_P(AgentLifecycle, GivenARunningAgentWhenDetachedThenByeAndTheTargetIsAsBefore)
{
    attach();
    auto during = host->command("facts");
    EXPECT_EQ(during["callbacks"].get<int>(), baseline["callbacks"].get<int>() + 1);
    EXPECT_EQ(during["threads"].get<int>(), baseline["threads"].get<int>() + 1);
    // The one thread more is ours, by name, so that ps -T and py-spy show it as such.
    const auto names = during["thread_names"].get<std::vector<std::string>>();
    EXPECT_EQ(std::count(names.begin(), names.end(), "gcscope-agent"), 1) << during["thread_names"].dump();
    detach();
    expectBaselineRestored();
    const auto after = host->command("facts")["thread_names"].get<std::vector<std::string>>();
    EXPECT_EQ(std::count(after.begin(), after.end(), "gcscope-agent"), 0);
}

TEST_P(AgentLifecycle, GivenARunningAgentWhenTheProfilerDiesThenTheAgentWindsDownWithinTwoSeconds)
{
    attach();
    auto closedAt = std::chrono::steady_clock::now();
    endpoint->closeConnection();
    expectBaselineRestored(2s);
    EXPECT_LT(std::chrono::steady_clock::now() - closedAt, 2s);
}

TEST_P(AgentLifecycle, GivenADetachedAgentWhenStartedAgainThenANewSessionWorks)
{
    attach();
    detach();
    expectBaselineRestored();
    auto hello = attach(20);
    EXPECT_EQ(hello.token, endpoint->token());
    EXPECT_TRUE(endpoint->readType(MessageType::Sample, 1s));
    EXPECT_EQ(host->command("facts")["callbacks"].get<int>(), baseline["callbacks"].get<int>() + 1);
    detach();
    expectBaselineRestored();
}

TEST_P(AgentLifecycle, GivenAFrameWithABadMagicThenTheAgentClosesAndCleansUp)
{
    attach();
    std::string garbage = wire::frame(MessageType::CensusNow, "");
    garbage[0] = 'X';
    ASSERT_TRUE(endpoint->sendRaw(garbage));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

TEST_P(AgentLifecycle, GivenAnAgentOnlyMessageSentToTheAgentThenItClosesAndCleansUp)
{
    attach();
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Bye, wire::ByeRecord { "nonsense" }));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

TEST_P(AgentLifecycle, GivenAnOversizedFrameHeaderThenTheAgentClosesWithoutReadingIt)
{
    attach();
    ASSERT_TRUE(endpoint->sendRaw(wire::encodeHeader(MessageType::Configure, wire::kMaxPayload + 1)));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

TEST_P(AgentLifecycle, GivenAMalformedCollectPayloadThenTheAgentClosesAndCleansUp)
{
    attach();
    ASSERT_TRUE(endpoint->send(MessageType::Collect, "xy"));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

// The first thread to import threading becomes its "MainThread": the agent must never be it.
TEST_P(AgentLifecycle, GivenAnAttachedAgentWhenItWorksThenItNeverImportsThreading)
{
    if (baseline["threading_imported"].get<bool>())
        GTEST_SKIP() << GetParam().name << " imports threading at start-up already";
    attach(10);
    ASSERT_TRUE(endpoint->send(MessageType::CensusNow));
    ASSERT_TRUE(endpoint->readType(MessageType::Census));
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Collect, wire::CollectRecord {}));
    ASSERT_TRUE(endpoint->readType(MessageType::Ack));
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Snapshot, wire::SnapshotRequestRecord {}));
    ASSERT_TRUE(endpoint->readType(MessageType::SnapshotEnd));
    ASSERT_TRUE(endpoint->readType(MessageType::Sample));
    EXPECT_FALSE(host->command("facts")["threading_imported"].get<bool>());
    detach();
    EXPECT_FALSE(host->command("facts")["threading_imported"].get<bool>());
}

TEST_P(AgentLifecycle, GivenAnAttachedAgentWhenTheTargetForksThenTheChildCollectsAndHoldsNoAgentSocket)
{
    attach(20);
    auto reply = host->command("fork");
    ASSERT_FALSE(reply.is_null());
    EXPECT_EQ(reply["child_fds"], baseline["fds"]) << "the child kept the agent's socket";
    EXPECT_TRUE(endpoint->readType(MessageType::Sample, 1s)) << "the parent's agent stopped";
    detach();
    expectBaselineRestored();
}

TEST_P(AgentLifecycle, GivenAnAttachedAgentWhenTheTargetExitsThenItExitsCleanly)
{
    attach(5);
    host->command("collect 2 1");
    EXPECT_FALSE(host->command("exit").is_null());
    EXPECT_EQ(host->waitForExit(5s), 0) << "the target did not exit cleanly";
    // Either the agent said goodbye during finalization or the process was simply gone.
    auto bye = endpoint->readType(MessageType::Bye, 2s);
    if (bye) {
        EXPECT_EQ(bye->as<wire::ByeRecord>().reason, "interpreter finalizing");
    }
    EXPECT_TRUE(endpoint->waitForClose());
}

INSTANTIATE_TEST_SUITE_P(Python311, AgentLifecycle, ::testing::ValuesIn(exactInterpreters()), interpreterName);
INSTANTIATE_TEST_SUITE_P(Portable, AgentLifecycle, ::testing::ValuesIn(portableInterpreters()), interpreterName);

} // namespace
} // namespace gcscope::test
