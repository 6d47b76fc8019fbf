// What the agent accepts on its socket: the five commands, each with a well-formed payload, from a
// profiler of its own user or root. Anything else ends the session at once and leaves the target
// as it was found; nothing a peer sends can make the agent read past a frame or wait for ever.
#include "agent_fixture.h"
#include "reach_as_user.h"

#include <cstdio>
#include <cstdlib>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace gcscope::test {
namespace {

using wire::MessageType;

// A frame header with every field chosen by the test.
std::string rawHeader(std::uint16_t version, std::uint16_t type, std::uint32_t length, std::uint32_t flags)
{
    wire::Encoder e;
    e.u32(wire::kMagic);
    e.u16(version);
    e.u16(type);
    e.u32(length);
    e.u32(flags);
    return e.take();
}

class AgentProtocol : public AgentTarget {
protected:
    // Attaches, sends `bytes`, and expects the agent to hang up and undo everything.
    void expectRejected(const std::string& bytes, const std::string& what)
    {
        SCOPED_TRACE(what);
        attach();
        ASSERT_TRUE(endpoint->sendRaw(bytes));
        EXPECT_TRUE(endpoint->waitForClose()) << "the agent accepted " << what;
        expectBaselineRestored();
    }
};

TEST_P(AgentProtocol, GivenEachMessageTypeThatIsNotACommandThenTheAgentHangsUpAndCleansUp)
{
    for (auto type : { MessageType::Hello, MessageType::Sample, MessageType::GcEvents, MessageType::Census,
             MessageType::Error, MessageType::Ack, MessageType::SnapshotBegin, MessageType::SnapshotStrings,
             MessageType::SnapshotObjects, MessageType::SnapshotEnd })
        expectRejected(wire::frame(type, {}), "agent-only type " + std::to_string(static_cast<int>(type)));
}

TEST_P(AgentProtocol, GivenUnknownTypesAnotherVersionOrReservedFlagsThenTheAgentHangsUp)
{
    for (std::uint16_t type : { 0, 12, 63, 69, 0xffff })
        expectRejected(rawHeader(wire::kVersion, type, 0, 0), "type number " + std::to_string(type));
    expectRejected(rawHeader(wire::kVersion + 1, static_cast<std::uint16_t>(MessageType::CensusNow), 0, 0),
        "another protocol version");
    expectRejected(rawHeader(wire::kVersion, static_cast<std::uint16_t>(MessageType::CensusNow), 0, 1), "flags 1");
}

TEST_P(AgentProtocol, GivenMalformedCommandPayloadsThenTheAgentHangsUp)
{
    wire::CollectRecord badGeneration;
    badGeneration.generation = wire::kGenerations;
    const std::string snapshot = [] {
        wire::Encoder e;
        wire::SnapshotRequestRecord {}.encode(e);
        return e.take();
    }();
    expectRejected(wire::frame(MessageType::Configure, "1234"), "a short Configure");
    expectRejected(wire::frame(MessageType::Configure, std::string(16, '\1')), "a long Configure");
    expectRejected(wire::frame(MessageType::CensusNow, "x"), "CensusNow with a payload");
    expectRejected(wire::frameOf(MessageType::Collect, badGeneration), "Collect of generation 3");
    expectRejected(wire::frame(MessageType::Snapshot, snapshot.substr(1)), "a short Snapshot");
    expectRejected(wire::frame(MessageType::Snapshot, snapshot + "x"), "a long Snapshot");
}

TEST_P(AgentProtocol, GivenAFrameCutShortWhenTheProfilerLeavesThenTheAgentWindsDownWithinTwoSeconds)
{
    attach();
    ASSERT_TRUE(endpoint->sendRaw(wire::encodeHeader(MessageType::Configure, 1000) + "0123456789"));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(host->command("facts")["callbacks"], baseline["callbacks"].get<int>() + 1)
        << "half a frame must not end the session by itself";
    endpoint->closeConnection();
    expectBaselineRestored(2s);
}

TEST_P(AgentProtocol, GivenACommandArrivingOneByteAtATimeThenItIsServed)
{
    attach();
    const std::string frame = wire::frame(MessageType::CensusNow, {});
    for (char byte : frame) {
        ASSERT_TRUE(endpoint->sendRaw(std::string(1, byte)));
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE(endpoint->readType(MessageType::Census));
    EXPECT_TRUE(endpoint->readUntil([](const Frame& f) {
        return f.type == MessageType::Ack
            && f.as<wire::AckRecord>().command == static_cast<std::uint16_t>(MessageType::CensusNow);
    }));
    detach();
    expectBaselineRestored();
}

TEST_P(AgentProtocol, GivenManyCommandsInOneWriteThenEachIsAnsweredInOrder)
{
    attach(1000);
    wire::ConfigureRecord configure;
    configure.intervalMs = 1000;
    std::string burst;
    constexpr int kCommands = 300;
    for (int i = 0; i < kCommands; ++i)
        burst += wire::frameOf(MessageType::Configure, configure);
    ASSERT_TRUE(endpoint->sendRaw(burst));
    int acks = 0;
    while (acks < kCommands && endpoint->readType(MessageType::Ack, 5s))
        ++acks;
    EXPECT_EQ(acks, kCommands);
    detach();
    expectBaselineRestored();
}

// The agent connects only to a socket whose listener runs as the target's user or root: a
// socket set up by anyone else gets no Hello (which would hand them the token and the pid).
TEST_P(AgentProtocol, GivenAListenerOfAnotherUserThenTheAgentSaysNothingAndLeaves)
{
    if (geteuid() != 0)
        GTEST_SKIP() << "needs root to listen as another user";
    const passwd* nobody = getpwnam("nobody");
    if (!nobody)
        GTEST_SKIP() << "no user nobody here";
    // The listener binds in the interpreter's root, where the target can reach the socket: nobody must
    // reach that root's /tmp too (a sid root in a tree cloned under a 0700 folder is out of reach).
    if (auto why = unreachableAs(nobody->pw_uid, nobody->pw_gid, { GetParam().root + "/tmp" }))
        GTEST_SKIP() << *why;
    std::string pattern = GetParam().root + "/tmp/gcscope-foreign-listener-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const std::string directory = pattern;
    const std::string path = directory + "/agent.sock";
    ASSERT_EQ(chown(directory.c_str(), nobody->pw_uid, nobody->pw_gid), 0);

    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The other user's listener: reports 0 when a connection came and said nothing at all.
        close(ready[0]);
        if (setgid(nobody->pw_gid) != 0 || setuid(nobody->pw_uid) != 0)
            _exit(10);
        int listener = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1) != 0)
            _exit(11);
        if (write(ready[1], "r", 1) != 1)
            _exit(12);
        alarm(10);
        int connection = accept(listener, nullptr, nullptr);
        if (connection < 0)
            _exit(13);
        char byte;
        _exit(read(connection, &byte, 1) == 0 ? 0 : 14);
    }
    close(ready[1]);
    char byte = 0;
    ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the other user's listener did not start";
    close(ready[0]);

    wire::AgentConfig config;
    config.socketPath = path.substr(GetParam().root.size());
    config.token = endpoint->token();
    EXPECT_EQ(start(config.format()), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the agent sent something to another user's socket";
    expectBaselineRestored();
    unlink(path.c_str());
    rmdir(directory.c_str());
}

INSTANTIATE_TEST_SUITE_P(Python311, AgentProtocol, ::testing::ValuesIn(exactInterpreters()), interpreterName);
INSTANTIATE_TEST_SUITE_P(Portable, AgentProtocol, ::testing::ValuesIn(portableInterpreters()), interpreterName);

} // namespace
} // namespace gcscope::test
