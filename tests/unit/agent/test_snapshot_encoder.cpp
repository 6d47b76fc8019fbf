// The snapshot encoder's frames: whatever the heap, every frame fits the protocol's payload limit
// and the frames decode back into exactly the objects written, in order.
#include "snapshot_encoder.h"
#include "string_table.h"

#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::agent {
namespace {

struct Decoded {
    std::vector<wire::SnapshotObject> objects; // continued records merged into their object
    std::size_t records = 0;
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
        if (!record)
            continue;
        for (auto& o : record->objects) {
            ++out.records;
            if (!(o.flags & wire::kObjectContinued)) {
                out.objects.push_back(std::move(o));
                continue;
            }
            // The same object as the record before, with the same fields.
            out.ok = out.ok && !out.objects.empty() && out.objects.back().address == o.address
                && out.objects.back().type == o.type && out.objects.back().size == o.size
                && out.objects.back().refcount == o.refcount && out.objects.back().label == o.label
                && out.objects.back().flags == (o.flags & ~wire::kObjectContinued);
            if (!out.objects.empty()) {
                auto& into = out.objects.back().references;
                into.insert(into.end(), o.references.begin(), o.references.end());
            }
        }
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

    const Decoded decoded = decodeFrames(encoder);
    EXPECT_TRUE(decoded.ok);
    EXPECT_LE(decoded.largestPayload, wire::kMaxPayload);
    EXPECT_EQ(encoder.objects(), 21u);
    EXPECT_EQ(encoder.referenceCount(), 10'000'060u);
    ASSERT_EQ(decoded.objects.size(), 21u);
    // Every reference arrives, in order, in as many records as frames need (1.4M each).
    EXPECT_EQ(decoded.records, 21u + 10'000'000 / SnapshotEncoder::kMaxReferences);
    EXPECT_EQ(decoded.objects[10].address, 0x200000u);
    ASSERT_EQ(decoded.objects[10].references.size(), 10'000'000u);
    for (std::uint32_t i = 0; i < 10'000'000; i += 999'983)
        ASSERT_EQ(decoded.objects[10].references[i].target, 0x1000 + 16 * (i % 1000)) << i;
    EXPECT_EQ(decoded.objects[10].references.back().target, 0x1000 + 16 * (9'999'999 % 1000));
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

// Every frame a streaming encoder sends, as type, prefix and body joined; or a refusal from the
// `failAt`th frame on.
struct CollectingSink final : FrameSink {
    std::vector<std::pair<wire::MessageType, std::string>> frames;
    std::size_t failAt = SIZE_MAX;
    std::size_t largestBuffer = 0;
    const SnapshotEncoder* encoder = nullptr;
    bool send(wire::MessageType type, std::string_view prefix, std::string_view body) override
    {
        if (frames.size() >= failAt)
            return false;
        frames.emplace_back(type, std::string(prefix) + std::string(body));
        if (encoder)
            largestBuffer = std::max(largestBuffer, encoder->bufferBytes());
        return true;
    }
};

// Objects with a new label every few objects, so string frames go between the objects frames, and
// one huge list in the middle that needs a frame of its own. Labels of three kinds: new interned
// ones, interned ones met again long after their first use (a streaming encoder has dropped their
// records by then: each must still get its first id), and values added without a look-up.
void writeHeap(SnapshotEncoder& encoder, StringTable& strings, int objects)
{
    for (int i = 0; i < objects; ++i) {
        const auto address = 0x100000 + 64 * static_cast<std::uintptr_t>(i);
        std::uint32_t label = 0;
        if (i % 7 == 0)
            label = strings.intern("label " + std::to_string(i));
        else if (i % 7 == 1)
            label = strings.intern("name " + std::to_string(i % 61));
        else if (i % 7 == 2)
            label = strings.add(std::to_string(1000003 * static_cast<long long>(i)));
        if (i % 7 == 1 && i > 61 * 7) {
            ASSERT_EQ(label, strings.intern("name " + std::to_string(i % 61))) << i;
            ASSERT_LT(label, 61u * 7 + 8) << "interned again, not found: " << i;
        }
        ASSERT_TRUE(encoder.beginObject(address, 1, 64, 1, wire::kObjectTracked, label));
        const std::uint32_t references = i == objects / 2 ? 2'000'000 : static_cast<std::uint32_t>(i % 5);
        for (std::uint32_t r = 0; r < references; ++r)
            if (!encoder.addReference(0x100000 + 64 * ((i + r) % objects), r))
                break;
        encoder.endObject();
    }
}

// A snapshot child sends each frame as it is cut: the same frames, in the same order, as the
// encoder walked in the target keeps until the end, while the records never take more memory than
// a few frames, however big the heap.
TEST(SnapshotEncoderFrames, GivenASinkThenEachFrameIsSentAsItIsCutWithTheSameBytesAndLittleMemoryIsHeld)
{
    constexpr int kObjects = 1'500'000;
    StringTable keptStrings;
    keptStrings.intern("dict");
    SnapshotEncoder kept(keptStrings);
    writeHeap(kept, keptStrings, kObjects);
    ASSERT_TRUE(kept.finish());

    StringTable sentStrings;
    sentStrings.intern("dict");
    SnapshotEncoder streamed(sentStrings);
    CollectingSink sink;
    sink.encoder = &streamed;
    streamed.streamTo(&sink);
    writeHeap(streamed, sentStrings, kObjects);
    ASSERT_TRUE(streamed.finish());

    EXPECT_TRUE(streamed.segments().empty()) << "nothing waits once finished";
    ASSERT_EQ(sink.frames.size(), kept.segments().size());
    for (std::size_t i = 0; i < sink.frames.size(); ++i) {
        const FrameSegment& segment = kept.segments()[i];
        std::string payload(reinterpret_cast<const char*>(segment.prefix), segment.prefixSize);
        payload.append(kept.bytesOf(segment), segment.length);
        ASSERT_EQ(sink.frames[i].first, segment.type) << "frame " << i;
        ASSERT_EQ(sink.frames[i].second, payload) << "frame " << i;
    }
    EXPECT_EQ(streamed.streamBytes(), kept.streamBytes());
    EXPECT_EQ(streamed.objects(), static_cast<std::uint64_t>(kObjects));
    EXPECT_EQ(streamed.referenceCount(), kept.referenceCount());
    EXPECT_GT(kept.streamBytes(), 80u * 1024 * 1024) << "a heap much bigger than what the streamed one holds";
    // The huge list alone is 24 MB of records: it goes in two records, a frame each.
    EXPECT_LE(sink.largestBuffer, 2 * wire::kMaxPayload + SnapshotEncoder::kChunkBytes);
    EXPECT_LE(streamed.bufferBytes(), 2 * wire::kMaxPayload + SnapshotEncoder::kChunkBytes);
    // The strings sent are dropped: the streamed table holds less than a chunk of records, the kept
    // one every record (several MB here).
    EXPECT_EQ(sentStrings.count(), keptStrings.count());
    EXPECT_EQ(sentStrings.recordBytes(), keptStrings.recordBytes());
    EXPECT_EQ(keptStrings.records().size(), keptStrings.recordBytes());
    EXPECT_GT(keptStrings.recordBytes(), 4u * SnapshotEncoder::kChunkBytes);
    EXPECT_LT(sentStrings.records().size(), SnapshotEncoder::kChunkBytes);
}

// The profiler stopped reading (or the walk was stopped): the encoder stops taking objects at once
// and says why, rather than encoding the rest of the heap for nobody.
TEST(SnapshotEncoderFrames, GivenASinkThatRefusesAFrameThenTheEncoderStopsAndSaysTheSinkFailed)
{
    StringTable strings;
    strings.intern("dict");
    SnapshotEncoder encoder(strings);
    CollectingSink sink;
    sink.failAt = 3;
    encoder.streamTo(&sink);
    int written = 0;
    for (; written < 1'000'000; ++written) {
        if (!encoder.beginObject(0x100000 + 64 * static_cast<std::uintptr_t>(written), 1, 64, 1, 0, 0))
            break;
        encoder.endObject();
    }
    EXPECT_LT(written, 1'000'000);
    EXPECT_EQ(sink.frames.size(), 3u);
    EXPECT_TRUE(encoder.sinkFailed());
    EXPECT_TRUE(encoder.failed());
    EXPECT_FALSE(encoder.finish());
}

} // namespace
} // namespace gcscope::agent
