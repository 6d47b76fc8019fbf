#include "agent_fixture.h"

#include <algorithm>

namespace gcscope::test {

void AgentTarget::SetUp()
{
    const TestInterpreter& interpreter = GetParam();
    if (auto why = interpreter.unavailable(); !why.empty())
        GTEST_SKIP() << why;
    folder = std::make_unique<SharedFolder>(interpreter.root);
    ASSERT_TRUE(folder->ok()) << "cannot make a folder in " << interpreter.root << "/tmp";
    endpoint = std::make_unique<ProfilerEndpoint>(folder->outside(), folder->inside());
    ASSERT_TRUE(endpoint->listening()) << "cannot create the profiler socket";
    const std::string agent = folder->copyIn(interpreter.agentFile());
    ASSERT_FALSE(agent.empty()) << "cannot copy the agent into " << folder->outside();
    host = std::make_unique<PythonHost>(interpreter, *folder);
    ASSERT_TRUE(host->running());
    ASSERT_FALSE(host->command("load " + agent).is_null()) << "the target did not start";
    baseline = host->command("facts");
    ASSERT_FALSE(baseline.is_null());
}

int AgentTarget::start(const std::string& config)
{
    auto reply = host->command("start " + config);
    return reply.is_null() ? -9999 : reply.value("rc", -9999);
}

wire::HelloRecord AgentTarget::attach(std::uint32_t intervalMs, std::uint32_t censusEveryMs)
{
    wire::HelloRecord hello;
    EXPECT_EQ(start(), 0);
    EXPECT_TRUE(endpoint->accept()) << "the agent did not connect";
    auto frame = endpoint->read();
    EXPECT_TRUE(frame && frame->type == wire::MessageType::Hello) << "no Hello";
    if (!frame)
        return hello;
    hello = frame->as<wire::HelloRecord>();
    wire::ConfigureRecord configure;
    configure.intervalMs = intervalMs;
    configure.censusEveryMs = censusEveryMs;
    EXPECT_TRUE(endpoint->sendRecord(wire::MessageType::Configure, configure));
    auto ack = endpoint->readUntil([](const Frame& f) {
        return f.type == wire::MessageType::Ack
            && f.as<wire::AckRecord>().command == static_cast<std::uint16_t>(wire::MessageType::Configure);
    });
    EXPECT_TRUE(ack.has_value()) << "Configure was not acknowledged";
    return hello;
}

void AgentTarget::detach()
{
    ASSERT_TRUE(endpoint->send(wire::MessageType::Detach));
    auto bye = endpoint->readType(wire::MessageType::Bye);
    ASSERT_TRUE(bye.has_value()) << "no Bye after Detach";
    EXPECT_EQ(bye->as<wire::ByeRecord>().reason, "detach");
    EXPECT_TRUE(endpoint->waitForClose()) << "the agent kept its socket open";
}

void AgentTarget::expectBaselineRestored(std::chrono::milliseconds within)
{
    auto facts = host->factsWhen(
        [&](const nlohmann::json& f) {
            return f["callbacks"] == baseline["callbacks"] && f["threads"] == baseline["threads"]
                && f["fds"] == baseline["fds"];
        },
        within);
    ASSERT_FALSE(facts.is_null());
    EXPECT_EQ(facts["callbacks"], baseline["callbacks"]) << "gc.callbacks not restored";
    EXPECT_EQ(facts["threads"], baseline["threads"]) << "the agent thread is still there";
    EXPECT_EQ(facts["fds"], baseline["fds"]) << "a descriptor of the agent is still open";
}

} // namespace gcscope::test
