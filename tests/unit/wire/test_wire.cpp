// The wire format: round trips, and every malformed input rejected without reading out of bounds.
#include <gcscope/wire.h>
#include <gtest/gtest.h>

using namespace gcscope::wire;

TEST(Wire, GivenASample_WhenEncodedAndDecoded_ThenEveryFieldSurvives)
{
    SampleRecord s;
    s.timeNs = 1'700'000'000'123'456'789;
    s.count = { 650, 3, 9 };
    s.threshold = { 700, 10, 10 };
    s.enabled = false;
    s.freezeCount = 42;
    s.stats[2] = { 7, 1234, 2 };
    s.gcGarbage = 5;
    auto bytes = frameOf(MessageType::Sample, s);
    FrameHeader h;
    ASSERT_EQ(decodeHeader(bytes.data(), h), HeaderError::None);
    EXPECT_EQ(h.type, MessageType::Sample);
    ASSERT_EQ(h.length, bytes.size() - kHeaderSize);
    auto back = decodeAs<SampleRecord>(std::string_view(bytes).substr(kHeaderSize));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->timeNs, s.timeNs);
    EXPECT_EQ(back->count, s.count);
    EXPECT_EQ(back->threshold, s.threshold);
    EXPECT_FALSE(back->enabled);
    EXPECT_EQ(back->freezeCount, 42);
    EXPECT_EQ(back->stats[2].collected, 1234);
    EXPECT_EQ(back->gcGarbage, 5);
}

TEST(Wire, GivenGcEventsWithAndWithoutCPythonsOwnFigures_WhenRoundTripped_ThenEveryFieldSurvives)
{
    GcEventsRecord r;
    r.dropped = 3;
    r.events = { { 10, 20, 2, 30, 1 }, { 11, 21, 0, 31, 0, 5000, 19000 } };
    Encoder e;
    r.encode(e);
    const std::string full = e.take();
    EXPECT_EQ(full.size(), 12u + 2 * 52);
    auto back = decodeAs<GcEventsRecord>(full);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->dropped, 3u);
    ASSERT_EQ(back->events.size(), 2u);
    EXPECT_EQ(back->events[0].generation, 2);
    EXPECT_EQ(back->events[0].candidates, -1);
    EXPECT_EQ(back->events[0].pythonDurationNs, -1);
    EXPECT_EQ(back->events[1].collected, 31);
    EXPECT_EQ(back->events[1].candidates, 5000);
    EXPECT_EQ(back->events[1].pythonDurationNs, 19000);
    for (std::size_t n = 0; n < full.size(); ++n)
        EXPECT_FALSE(decodeAs<GcEventsRecord>(std::string_view(full).substr(0, n))) << "prefix " << n;
}

TEST(Wire, GivenAnyTruncationOfAValidPayload_WhenDecoded_ThenItIsRejected)
{
    CensusRecord c;
    c.timeNs = 1;
    c.pauseNs = 2;
    c.objects = 3;
    c.entries = { { "dict", 10, 2000 }, { "__main__.Node", 5, 280 } };
    Encoder e;
    c.encode(e);
    const std::string full = e.take();
    ASSERT_TRUE(decodeAs<CensusRecord>(full));
    for (std::size_t n = 0; n < full.size(); ++n)
        EXPECT_FALSE(decodeAs<CensusRecord>(std::string_view(full).substr(0, n))) << "prefix " << n;
    EXPECT_FALSE(decodeAs<CensusRecord>(full + "x")) << "trailing bytes";
}

TEST(Wire, GivenHugeCounts_WhenDecoded_ThenNothingIsReservedAndDecodingFails)
{
    Encoder e;
    e.u64(0);
    e.u32(0xffffffffu); // claims four billion events in an empty payload
    EXPECT_FALSE(decodeAs<GcEventsRecord>(e.bytes()));
    Encoder s;
    s.u32(0x7fffffffu); // a string longer than the payload
    Decoder d(s.bytes());
    std::string out;
    EXPECT_FALSE(d.str(out));
}

TEST(Wire, GivenBadHeaders_WhenDecoded_ThenEachIsNamed)
{
    auto good = encodeHeader(MessageType::Detach, 0);
    FrameHeader h;
    EXPECT_EQ(decodeHeader(good.data(), h), HeaderError::None);
    auto bad = good;
    bad[0] = 'X';
    EXPECT_EQ(decodeHeader(bad.data(), h), HeaderError::BadMagic);
    bad = good;
    bad[4] = 9;
    EXPECT_EQ(decodeHeader(bad.data(), h), HeaderError::BadVersion);
    bad = good;
    bad[6] = 50;
    EXPECT_EQ(decodeHeader(bad.data(), h), HeaderError::UnknownType);
    auto big = encodeHeader(MessageType::Census, kMaxPayload + 1);
    EXPECT_EQ(decodeHeader(big.data(), h), HeaderError::TooLarge);
    bad = good;
    bad[12] = 1;
    EXPECT_EQ(decodeHeader(bad.data(), h), HeaderError::BadFlags);
}

TEST(Wire, GivenAgentConfigStrings_WhenParsed_ThenOnlyWellFormedOnesAreAccepted)
{
    AgentConfig c { "/tmp/gcscope-abc/agent.sock", std::string(32, 'a') };
    auto back = AgentConfig::parse(c.format());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->socketPath, c.socketPath);
    EXPECT_EQ(back->token, c.token);
    EXPECT_TRUE(AgentConfig::parse("token=" + std::string(32, 'b') + ";future=1;sock=/s;v=1"));
    EXPECT_FALSE(AgentConfig::parse("v=2;sock=/s;token=" + std::string(32, 'a')));
    EXPECT_FALSE(AgentConfig::parse("v=1;sock=/s;token=short"));
    EXPECT_FALSE(AgentConfig::parse("v=1;sock=/s;token=" + std::string(32, 'Z')));
    EXPECT_FALSE(AgentConfig::parse("v=1;token=" + std::string(32, 'a')));
    EXPECT_FALSE(AgentConfig::parse("garbage"));
}

TEST(Wire, GivenSnapshotObjects_WhenEncodedAndDecoded_ThenObjectsAndReferencesSurvive)
{
    SnapshotObjectsRecord r;
    SnapshotObject list { 0x7f0000001000, 3, 88, 2, kObjectTracked, 5, {} };
    list.references = { { 0x7f0000002000, kEdgeIndexBit | 0 }, { 0x7f0000003000, kEdgeIndexBit | 1 } };
    SnapshotObject leaf { 0x7f0000002000, 4, 49, 7, 0, 0, {} };
    r.objects = { list, leaf };
    Encoder e;
    r.encode(e);
    auto back = decodeAs<SnapshotObjectsRecord>(e.bytes());
    ASSERT_TRUE(back);
    ASSERT_EQ(back->objects.size(), 2u);
    EXPECT_EQ(back->objects[0].address, list.address);
    EXPECT_EQ(back->objects[0].references.size(), 2u);
    EXPECT_EQ(back->objects[0].references[1].label, kEdgeIndexBit | 1);
    EXPECT_EQ(back->objects[1].flags, 0);
    const std::string full = e.bytes();
    for (std::size_t n = 0; n < full.size(); ++n)
        EXPECT_FALSE(decodeAs<SnapshotObjectsRecord>(std::string_view(full).substr(0, n))) << "prefix " << n;
}

TEST(Wire, GivenSnapshotStrings_WhenIdZeroIsClaimed_ThenTheRecordIsRejected)
{
    SnapshotStringsRecord s;
    s.firstId = 1;
    s.strings = { "dict", "__main__.Node", "" };
    auto ok = decodeAs<SnapshotStringsRecord>(frameOf(MessageType::SnapshotStrings, s).substr(kHeaderSize));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->strings[1], "__main__.Node");
    s.firstId = 0;
    Encoder e;
    s.encode(e);
    EXPECT_FALSE(decodeAs<SnapshotStringsRecord>(e.bytes()));
}

TEST(Wire, GivenSnapshotRefcounts_WhenEncodedAndDecoded_ThenOnlySortedPositiveEntriesAreAccepted)
{
    SnapshotRefcountsRecord r;
    r.entries = { { 0x7f0000001000, 2 }, { 0x7f0000002000, 1 }, { 0x7f0000009000, 70000 } };
    Encoder e;
    r.encode(e);
    auto back = decodeAs<SnapshotRefcountsRecord>(e.bytes());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->entries, r.entries);
    const std::string full = e.bytes();
    for (std::size_t n = 0; n < full.size(); ++n)
        EXPECT_FALSE(decodeAs<SnapshotRefcountsRecord>(std::string_view(full).substr(0, n))) << "prefix " << n;
    // Each object once, in address order, and nothing to add is not an entry: a frame breaking
    // either was not written by our agent.
    const auto rejected = [](std::vector<SnapshotRefcountsRecord::Entry> entries) {
        Encoder bad;
        SnapshotRefcountsRecord { std::move(entries) }.encode(bad);
        return !decodeAs<SnapshotRefcountsRecord>(bad.bytes());
    };
    EXPECT_TRUE(rejected({ { 0x2000, 1 }, { 0x1000, 1 } }));
    EXPECT_TRUE(rejected({ { 0x1000, 1 }, { 0x1000, 1 } }));
    EXPECT_TRUE(rejected({ { 0x1000, 0 } }));
    EXPECT_FALSE(rejected({}));
    EXPECT_TRUE(isKnownType(static_cast<std::uint16_t>(MessageType::SnapshotRefcounts)));
}

TEST(Wire, GivenSnapshotBeginAndEnd_WhenEncodedAndDecoded_ThenTheExpectationAndTheCountsSurvive)
{
    SnapshotBeginRecord b { 7, 1'700'000'000'000'000'000, 12'000, 3'000'000, 6'000'000, SnapshotMethod::Child, "" };
    auto begin = decodeAs<SnapshotBeginRecord>(frameOf(MessageType::SnapshotBegin, b).substr(kHeaderSize));
    ASSERT_TRUE(begin);
    EXPECT_EQ(begin->expectedObjects, 3'000'000u);
    EXPECT_EQ(begin->expectedReferences, 6'000'000u);
    EXPECT_EQ(begin->method, SnapshotMethod::Child);
    SnapshotEndRecord x { 7, 3'100'000, 1'000'000, 6'200'000, 41, 1 << 20 };
    auto end = decodeAs<SnapshotEndRecord>(frameOf(MessageType::SnapshotEnd, x).substr(kHeaderSize));
    ASSERT_TRUE(end);
    EXPECT_EQ(end->objectsSent, 3'100'000u);
    EXPECT_EQ(end->trackedObjects, 1'000'000u);
    EXPECT_EQ(end->referencesSent, 6'200'000u);
    EXPECT_EQ(end->stringsSent, 41u);
}
