// AgentConnection::read over a real socket pair: frames of every size come out whole and in order,
// however the bytes are split in time, and a big frame is read straight into its payload.
#include "session/agent_connection.h"

#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using gcscope::session::AgentConnection;
using gcscope::session::Frame;
using gcscope::wire::MessageType;
using namespace std::chrono_literals;

namespace {

struct Pair {
    Pair()
    {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        connection = AgentConnection(fds[0]);
        agent = fds[1];
        const int big = 8 << 20; // whole frames fit without a reader, as far as the kernel allows
        ::setsockopt(agent, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    }
    ~Pair()
    {
        if (agent >= 0)
            ::close(agent);
    }
    void write(std::string_view bytes) const
    {
        while (!bytes.empty()) {
            const ssize_t n = ::write(agent, bytes.data(), bytes.size());
            ASSERT_GT(n, 0);
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    AgentConnection connection;
    int agent = -1;
};

// A payload whose every byte depends on its place and on `seed`: a byte out of place shows.
std::string payload(std::size_t size, unsigned seed)
{
    std::string p(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        p[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 10)) & 0xff);
    return p;
}

// Reads frames until `count` came, or fails after a few seconds.
std::vector<Frame> readFrames(AgentConnection& c, std::size_t count, Frame& reused)
{
    std::vector<Frame> got;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
        const auto status = c.read(reused, 50ms);
        EXPECT_NE(status, AgentConnection::ReadStatus::Closed);
        EXPECT_NE(status, AgentConnection::ReadStatus::ProtocolError) << c.error();
        if (status == AgentConnection::ReadStatus::Frame)
            got.push_back(reused);
    }
    return got;
}

} // namespace

TEST(AgentConnectionRead, GivenSmallAndBigFramesInOneWrite_WhenRead_ThenEachComesWholeAndInOrder)
{
    Pair pair;
    const std::vector<std::size_t> sizes { 0, 5, 64 * 1024 - 1, 64 * 1024, 1 << 20, 3, (1 << 20) + 17, 100 };
    std::string bytes;
    for (std::size_t i = 0; i < sizes.size(); ++i)
        bytes += gcscope::wire::frame(MessageType::SnapshotObjects, payload(sizes[i], static_cast<unsigned>(i)));
    std::thread writer([&] { pair.write(bytes); });
    Frame reused; // one Frame for all, as the snapshot loop reads them
    const auto got = readFrames(pair.connection, sizes.size(), reused);
    writer.join();
    ASSERT_EQ(got.size(), sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        EXPECT_EQ(got[i].type, MessageType::SnapshotObjects);
        EXPECT_EQ(got[i].payload, payload(sizes[i], static_cast<unsigned>(i))) << "frame " << i;
    }
}

// The agent's child sends a big frame in pieces, with pauses longer than the reader's timeout: the
// reader returns Timeout in between, keeps the part it has, and gives the frame once it is whole.
TEST(AgentConnectionRead, GivenABigFrameArrivingInPiecesAcrossTimeouts_WhenRead_ThenItComesWholeOnce)
{
    Pair pair;
    const std::string big = payload(3 << 20, 9);
    const std::string bytes = gcscope::wire::frame(MessageType::SnapshotObjects, big)
        + gcscope::wire::frame(MessageType::Sample, payload(40, 1));
    // Pieces that split the header, then the payload at odd places.
    const std::vector<std::size_t> cuts { 7, 16, 1000, 70'000, 1'500'000, bytes.size() - 30, bytes.size() };
    Frame f;
    std::size_t at = 0;
    int timeouts = 0;
    std::vector<Frame> got;
    for (const std::size_t cut : cuts) {
        pair.write(std::string_view(bytes).substr(at, cut - at));
        at = cut;
        for (;;) {
            const auto status = pair.connection.read(f, 20ms);
            if (status == AgentConnection::ReadStatus::Timeout) {
                ++timeouts;
                break;
            }
            ASSERT_EQ(status, AgentConnection::ReadStatus::Frame) << pair.connection.error();
            got.push_back(f);
        }
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].type, MessageType::SnapshotObjects);
    EXPECT_TRUE(got[0].payload == big);
    EXPECT_EQ(got[1].type, MessageType::Sample);
    EXPECT_EQ(got[1].payload, payload(40, 1));
    EXPECT_GE(timeouts, static_cast<int>(cuts.size()));
}

// The agent gone half way through a big frame: the reader says Closed, not a frame cut short.
TEST(AgentConnectionRead, GivenTheAgentGoneInTheMiddleOfABigFrame_WhenRead_ThenClosedAndNoFrame)
{
    Pair pair;
    const std::string bytes = gcscope::wire::frame(MessageType::SnapshotObjects, payload(1 << 20, 3));
    pair.write(std::string_view(bytes).substr(0, bytes.size() / 2));
    ::close(pair.agent);
    pair.agent = -1;
    Frame f;
    AgentConnection::ReadStatus status = AgentConnection::ReadStatus::Timeout;
    for (int i = 0; i < 100 && status == AgentConnection::ReadStatus::Timeout; ++i)
        status = pair.connection.read(f, 20ms);
    EXPECT_EQ(status, AgentConnection::ReadStatus::Closed);
}

// A header that says more than a frame may carry is refused at once, before any payload is read.
TEST(AgentConnectionRead, GivenAnOversizeHeader_WhenRead_ThenAProtocolErrorNamesIt)
{
    Pair pair;
    std::string bytes = gcscope::wire::frame(MessageType::SnapshotObjects, payload(100, 0));
    const std::uint32_t tooBig = gcscope::wire::kMaxPayload + 1;
    std::memcpy(bytes.data() + 8, &tooBig, 4); // the length field (wire.h)
    pair.write(bytes.substr(0, gcscope::wire::kHeaderSize));
    Frame f;
    AgentConnection::ReadStatus status = AgentConnection::ReadStatus::Timeout;
    for (int i = 0; i < 100 && status == AgentConnection::ReadStatus::Timeout; ++i)
        status = pair.connection.read(f, 20ms);
    EXPECT_EQ(status, AgentConnection::ReadStatus::ProtocolError);
    EXPECT_FALSE(pair.connection.error().empty());
}
