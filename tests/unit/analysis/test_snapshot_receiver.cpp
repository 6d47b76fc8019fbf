// The profiler's end of a snapshot: frames as the agent sends them, into a HeapGraph. A snapshot
// child sends while it walks, so Begin only estimates, and refcount corrections (3.14+ borrowed
// references) come in frames of their own after the objects.
#include "snapshot/snapshot_receiver.h"

#include <gtest/gtest.h>

namespace gcscope::snapshot {
namespace {

constexpr std::uint32_t kId = 3;

template <typename Record> session::Frame frame(wire::MessageType type, const Record& record)
{
    wire::Encoder e;
    record.encode(e);
    return { type, e.bytes() };
}

wire::SnapshotObject object(std::uint64_t address, std::int64_t refcount, std::vector<std::uint64_t> targets)
{
    wire::SnapshotObject o { address, 1, 56, refcount, wire::kObjectTracked, 0, {} };
    for (auto t : targets)
        o.references.push_back({ t, 0 });
    return o;
}

class Receiving : public ::testing::Test {
protected:
    SnapshotReceiver receiver { kId };
    std::uint64_t payloadBytes = 0; // of every frame taken

    SnapshotReceiver::Status take(const session::Frame& f)
    {
        payloadBytes += f.payload.size();
        return receiver.take(f);
    }
    void begin(std::uint64_t expectedObjects)
    {
        wire::SnapshotBeginRecord b;
        b.snapshotId = kId;
        b.expectedObjects = expectedObjects;
        b.expectedReferences = expectedObjects;
        b.method = wire::SnapshotMethod::Child;
        ASSERT_EQ(take(frame(wire::MessageType::SnapshotBegin, b)), SnapshotReceiver::Status::More);
        wire::SnapshotStringsRecord s;
        s.strings = { "__main__.Node" };
        ASSERT_EQ(take(frame(wire::MessageType::SnapshotStrings, s)), SnapshotReceiver::Status::More);
    }
    SnapshotReceiver::Status objects(std::vector<wire::SnapshotObject> list)
    {
        return take(frame(wire::MessageType::SnapshotObjects, wire::SnapshotObjectsRecord { std::move(list) }));
    }
    SnapshotReceiver::Status refcounts(std::vector<wire::SnapshotRefcountsRecord::Entry> entries)
    {
        return take(frame(wire::MessageType::SnapshotRefcounts, wire::SnapshotRefcountsRecord { std::move(entries) }));
    }
    SnapshotReceiver::Status end(std::uint64_t objects, std::uint64_t references)
    {
        return take(
            frame(wire::MessageType::SnapshotEnd, wire::SnapshotEndRecord { kId, objects, objects, references, 1, 0 }));
    }
};

// What GCSCOPE_PHASES prints when the stream ends: the bytes the agent sent, every frame's payload.
TEST_F(Receiving, GivenFramesOfEveryKind_ThenTheBytesReceivedAreTheirPayloadsAll)
{
    begin(2);
    const auto afterBegin = payloadBytes;
    EXPECT_EQ(receiver.bytesReceived(), afterBegin);
    ASSERT_EQ(objects({ object(0x1000, 1, { 0x2000 }), object(0x2000, 1, {}) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(refcounts({ { 0x2000, 1 } }), SnapshotReceiver::Status::More);
    ASSERT_EQ(end(2, 1), SnapshotReceiver::Status::Done);
    EXPECT_GT(payloadBytes, afterBegin + 2 * 37);
    EXPECT_EQ(receiver.bytesReceived(), payloadBytes);
}

TEST_F(Receiving, GivenRefcountFramesAfterTheObjects_ThenTheirObjectsCountTheBorrowedReferencesAndSaySo)
{
    begin(2); // fewer than will come: an estimate
    ASSERT_EQ(
        objects({ object(0x1000, 0, { 0x2000, 0x2000 }), object(0x2000, 1, {}) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(objects({ object(0x3000, 1, { 0x1000 }) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(refcounts({ { 0x2000, 1 } }), SnapshotReceiver::Status::More);
    // Another frame of them, and an address that is not in the snapshot (one of the agent's own).
    ASSERT_EQ(refcounts({ { 0x3000, 2 }, { 0x9000, 5 } }), SnapshotReceiver::Status::More);
    ASSERT_EQ(end(3, 3), SnapshotReceiver::Status::Done);
    const auto received = receiver.finish();
    const auto& g = received.graph;
    ASSERT_EQ(g.objectCount(), 3u);
    const auto a = g.find(0x1000), b = g.find(0x2000), c = g.find(0x3000);
    EXPECT_EQ(g.refcount[a], 0);
    EXPECT_EQ(g.refcount[b], 2);
    EXPECT_EQ(g.refcount[c], 3);
    EXPECT_EQ(g.flags[a] & analysis::BorrowedReferences, 0);
    EXPECT_NE(g.flags[b] & analysis::BorrowedReferences, 0);
    EXPECT_NE(g.flags[c] & analysis::BorrowedReferences, 0);
    EXPECT_EQ(received.unresolvedReferences, 0u);
}

TEST_F(Receiving, GivenObjectsAfterTheRefcounts_ThenTheSnapshotIsRefused)
{
    begin(3);
    ASSERT_EQ(objects({ object(0x1000, 1, {}) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(refcounts({ { 0x1000, 1 } }), SnapshotReceiver::Status::More);
    EXPECT_EQ(objects({ object(0x2000, 1, {}) }), SnapshotReceiver::Status::Failed);
    EXPECT_EQ(receiver.error(), "malformed snapshot objects from the agent");
}

TEST_F(Receiving, GivenRefcountsOutOfOrderOrBeforeBegin_ThenTheSnapshotIsRefused)
{
    EXPECT_EQ(refcounts({ { 0x1000, 1 } }), SnapshotReceiver::Status::Failed);
    SnapshotReceiver other(kId);
    wire::SnapshotBeginRecord b;
    b.snapshotId = kId;
    ASSERT_EQ(other.take(frame(wire::MessageType::SnapshotBegin, b)), SnapshotReceiver::Status::More);
    EXPECT_EQ(other.take(frame(wire::MessageType::SnapshotRefcounts,
                  wire::SnapshotRefcountsRecord { { { 0x2000, 1 }, { 0x1000, 1 } } })),
        SnapshotReceiver::Status::Failed);
    EXPECT_EQ(other.error(), "malformed snapshot refcounts from the agent");
}

// A child that fails between two frames: its parent sends Error, and what came before is dropped.
TEST_F(Receiving, GivenAnErrorAfterSomeFrames_ThenTheSnapshotFailsWithTheAgentsReason)
{
    begin(1000);
    ASSERT_EQ(objects({ object(0x1000, 1, {}) }), SnapshotReceiver::Status::More);
    EXPECT_EQ(receiver.objectsReceived(), 1u);
    EXPECT_EQ(take(frame(wire::MessageType::Error,
                  wire::ErrorRecord { 110,
                      "snapshot failed: the snapshot's child process did not finish its walk in time "
                      "and was stopped" })),
        SnapshotReceiver::Status::Failed);
    EXPECT_EQ(receiver.error(),
        "the agent could not take the snapshot: snapshot failed: the snapshot's child process did not finish its walk "
        "in time and was stopped");
}

TEST_F(Receiving, GivenAnObjectContinuedInTheNextFrames_ThenItIsOneObjectWithEveryReferenceInOrder)
{
    // A list of over a million items comes in several records of the same address, the later ones
    // marked kObjectContinued, each at the start of a frame of its own.
    begin(4);
    auto continued = [](wire::SnapshotObject o) {
        o.flags |= wire::kObjectContinued;
        return o;
    };
    ASSERT_EQ(
        objects({ object(0x1000, 1, {}), object(0x2000, 1, { 0x1000, 0x3000 }) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(objects({ continued(object(0x2000, 1, { 0x4000, 0x1000 })) }), SnapshotReceiver::Status::More);
    ASSERT_EQ(objects({ continued(object(0x2000, 1, { 0x3000 })), object(0x3000, 2, {}), object(0x4000, 1, {}) }),
        SnapshotReceiver::Status::More);
    ASSERT_EQ(end(4, 5), SnapshotReceiver::Status::Done);
    const auto received = receiver.finish();
    const auto& g = received.graph;
    ASSERT_EQ(g.objectCount(), 4u);
    const auto list = g.find(0x2000);
    const auto targets = g.referents(list);
    EXPECT_EQ(std::vector<analysis::ObjectId>(targets.begin(), targets.end()),
        (std::vector<analysis::ObjectId> {
            g.find(0x1000), g.find(0x3000), g.find(0x4000), g.find(0x1000), g.find(0x3000) }));
    EXPECT_EQ(received.unresolvedReferences, 0u);
}

// The receiver makes room for the labels the estimate suggests (some 16 bytes each): labels past
// that room, longer and more of them than estimated, all come out as sent.
TEST_F(Receiving, GivenMoreAndLongerLabelsThanTheEstimateHasRoomFor_ThenEveryObjectKeepsItsOwn)
{
    begin(2);
    constexpr std::uint32_t kLabels = 3000;
    wire::SnapshotStringsRecord s;
    s.firstId = 2; // after "" and the type name begin() sent
    for (std::uint32_t i = 0; i < kLabels; ++i)
        s.strings.push_back("a label longer than the room per label, number " + std::to_string(i));
    ASSERT_EQ(take(frame(wire::MessageType::SnapshotStrings, s)), SnapshotReceiver::Status::More);
    std::vector<wire::SnapshotObject> list;
    for (std::uint32_t i = 0; i < kLabels; ++i) {
        auto o = object(0x1000 + 0x40 * std::uint64_t { i }, 1, {});
        o.label = 2 + (i * 7) % kLabels; // not in id order
        list.push_back(o);
    }
    ASSERT_EQ(objects(list), SnapshotReceiver::Status::More);
    ASSERT_EQ(end(kLabels, 0), SnapshotReceiver::Status::Done);
    const auto received = receiver.finish();
    const auto& g = received.graph;
    ASSERT_EQ(g.objectCount(), kLabels);
    for (std::uint32_t i = 0; i < kLabels; ++i) {
        const auto id = g.find(0x1000 + 0x40 * std::uint64_t { i });
        ASSERT_EQ(g.strings[g.label[id]],
            "a label longer than the room per label, number " + std::to_string((i * 7) % kLabels))
            << "object " << i;
    }
}

TEST_F(Receiving, GivenAContinuedRecordOfAnotherObject_ThenTheSnapshotIsRefusedAsMalformed)
{
    begin(2);
    ASSERT_EQ(objects({ object(0x1000, 1, { 0x2000 }) }), SnapshotReceiver::Status::More);
    auto stray = object(0x2000, 1, { 0x1000 });
    stray.flags |= wire::kObjectContinued;
    EXPECT_EQ(objects({ stray }), SnapshotReceiver::Status::Failed);
    EXPECT_NE(receiver.error().find("malformed"), std::string::npos) << receiver.error();
}

TEST_F(Receiving, GivenAContinuedRecordFirst_ThenTheSnapshotIsRefusedAsMalformed)
{
    begin(1);
    auto stray = object(0x1000, 1, {});
    stray.flags |= wire::kObjectContinued;
    EXPECT_EQ(objects({ stray }), SnapshotReceiver::Status::Failed);
}

} // namespace
} // namespace gcscope::snapshot
