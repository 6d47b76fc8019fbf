// The snapshot encoder's frames: whatever the heap, every frame fits the protocol's payload limit
// and the frames decode back into exactly the objects written, in order.
#include "snapshot_encoder.h"
#include "string_table.h"

#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gcscope::agent {
namespace {

struct Decoded {
    std::vector<wire::SnapshotObject> objects;
    std::size_t largestPayload = 0;
    bool ok = true;
};

Decoded decodeFrames(const SnapshotEncoder& encoder)
{
    Decoded out;
    for (const FrameSegment& segment : encoder.segments()) {
        std::string payload(reinterpret_cast<const char*>(segment.prefix), segment.prefixSize);
        payload.append(encoder.bytesOf(segment), segment.length);
        out.largestPayload = std::max(out.largestPayload, payload.size());
        if (segment.type != wire::MessageType::SnapshotObjects)
            continue;
        auto record = wire::decodeAs<wire::SnapshotObjectsRecord>(payload);
        out.ok = out.ok && record.has_value();
        if (record)
            out.objects.insert(out.objects.end(), record->objects.begin(), record->objects.end());
    }
    return out;
}

void writeObject(SnapshotEncoder& encoder, std::uintptr_t address, std::uint32_t references)
{
    ASSERT_TRUE(encoder.beginObject(address, 1, 64, 1, wire::kObjectTracked, 0));
    for (std::uint32_t i = 0; i < references; ++i)
        if (!encoder.addReference(0x1000 + 16 * (i % 1000)))
            break;
    encoder.endObject();
}

// A list of ten million items after a few small objects: its record alone nearly fills a frame,
// so it must not share one with them (found with a 10M-item list: the agent's send was refused).
TEST(SnapshotEncoderFrames, GivenAHugeObjectAfterSmallOnesThenEveryFrameFitsThePayloadLimit)
{
    StringTable strings;
    ASSERT_EQ(strings.intern("list"), 1u);
    SnapshotEncoder encoder(strings);
    for (int i = 0; i < 10; ++i)
        writeObject(encoder, 0x100000 + 64 * i, 3);
    writeObject(encoder, 0x200000, 10'000'000);
    for (int i = 0; i < 10; ++i)
        writeObject(encoder, 0x300000 + 64 * i, 3);
    ASSERT_TRUE(encoder.finish());

    EXPECT_EQ(encoder.truncated(), 1u) << "the references beyond one frame are cut and counted";
    const Decoded decoded = decodeFrames(encoder);
    EXPECT_TRUE(decoded.ok);
    EXPECT_LE(decoded.largestPayload, wire::kMaxPayload);
    ASSERT_EQ(decoded.objects.size(), 21u);
    EXPECT_EQ(decoded.objects[10].address, 0x200000u);
    EXPECT_EQ(decoded.objects[10].references.size(), SnapshotEncoder::kMaxReferences);
    EXPECT_EQ(decoded.objects[20].address, 0x300000u + 64 * 9);
}

TEST(SnapshotEncoderFrames, GivenManySmallObjectsThenTheyAreCutIntoChunksThatDecodeInOrder)
{
    StringTable strings;
    strings.intern("dict");
    SnapshotEncoder encoder(strings);
    constexpr int kObjects = 100'000;
    for (int i = 0; i < kObjects; ++i)
        writeObject(encoder, 0x100000 + 64 * static_cast<std::uintptr_t>(i), i % 5);
    ASSERT_TRUE(encoder.finish());
    const Decoded decoded = decodeFrames(encoder);
    EXPECT_TRUE(decoded.ok);
    EXPECT_GT(encoder.segments().size(), 2u);
    EXPECT_LE(decoded.largestPayload, SnapshotEncoder::kChunkBytes + 4 + 37 + 12 * 4);
    ASSERT_EQ(decoded.objects.size(), static_cast<std::size_t>(kObjects));
    for (int i = 0; i < kObjects; i += 997)
        EXPECT_EQ(decoded.objects[static_cast<std::size_t>(i)].address, 0x100000u + 64 * static_cast<std::uint64_t>(i));
}

} // namespace
} // namespace gcscope::agent
