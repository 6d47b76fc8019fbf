// The two chunk layouts (storage/src/SnapshotChunk.h): every value a record can hold reads back
// the same from both, and a packed chunk of a real heap's kind of objects takes a few bytes each.
#include "SnapshotChunk.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

using namespace gcscope::storage;

namespace {
struct Object {
    std::uint64_t address = 0, size = 0;
    std::int64_t refcount = 0;
    std::uint32_t type = 0, label = 0;
    std::uint8_t flags = 0;
    std::vector<std::uint32_t> targets, labels;
};

// The chunk `objects` make in `layout`, starting at id `first`.
std::vector<unsigned char> build(ChunkLayout layout, const std::vector<Object>& objects, std::uint32_t first = 0)
{
    ChunkBuilder builder(layout);
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const Object& o = objects[i];
        builder.add(first + static_cast<std::uint32_t>(i), o.address, o.type, o.size, o.refcount, o.flags, o.label,
            o.targets, o.labels);
    }
    EXPECT_EQ(builder.objects(), objects.size());
    const auto blob = builder.finish();
    EXPECT_EQ(builder.objects(), 0u) << "finish() empties the builder";
    return { blob.begin(), blob.end() };
}

// Reads `blob` back and compares every field with `objects` (refcounts clamped to 0..2^32-1);
// the references must be the bytes the other layout stores.
void expectReadsBack(ChunkLayout layout, const std::vector<unsigned char>& blob, const std::vector<Object>& objects,
    const std::vector<unsigned char>& otherBlob, ChunkLayout other)
{
    const auto n = static_cast<std::uint32_t>(objects.size());
    ChunkView view, otherView;
    ASSERT_TRUE(view.open(blob, n, layout));
    ASSERT_TRUE(otherView.open(otherBlob, n, other));
    for (std::uint32_t i = 0; i < n; ++i) {
        const Object& o = objects[i];
        SCOPED_TRACE("object " + std::to_string(i));
        EXPECT_EQ(view.address(i), o.address);
        EXPECT_EQ(view.size(i), o.size);
        EXPECT_EQ(view.refcount(i), std::clamp<std::int64_t>(o.refcount, 0, UINT32_MAX));
        EXPECT_EQ(view.type(i), o.type);
        EXPECT_EQ(view.label(i), o.label);
        EXPECT_EQ(view.flags(i), o.flags);
        const auto refs = view.refs(i), otherRefs = otherView.refs(i);
        EXPECT_EQ(std::vector<unsigned char>(refs.begin(), refs.end()),
            std::vector<unsigned char>(otherRefs.begin(), otherRefs.end()));
        EXPECT_EQ(refs.empty(), o.targets.empty());
    }
}

void expectBothLayoutsReadBack(const std::vector<Object>& objects)
{
    const auto records = build(ChunkLayout::Records, objects);
    const auto packed = build(ChunkLayout::Packed, objects);
    expectReadsBack(ChunkLayout::Records, records, objects, packed, ChunkLayout::Packed);
    expectReadsBack(ChunkLayout::Packed, packed, objects, records, ChunkLayout::Records);
}

// 128 objects as a CPython heap's walk meets them: 16-byte aligned within a few MiB, sizes of
// tens to hundreds of bytes, small refcounts, a few types, labels on some, one to three references.
std::vector<Object> heapLikeChunk(std::mt19937_64& random, std::uint32_t firstLabel)
{
    std::vector<Object> objects(kChunkObjects);
    std::uint32_t label = firstLabel;
    for (std::uint32_t i = 0; i < kChunkObjects; ++i) {
        Object& o = objects[i];
        o.address = 0x7f3a'1000'0000 + (random() % (4 << 20)) / 16 * 16;
        o.size = 48 + random() % 200;
        o.refcount = 1 + static_cast<std::int64_t>(random() % 3);
        o.type = 3 + static_cast<std::uint32_t>(random() % 6);
        o.label = random() % 3 == 0 ? ++label : 0;
        o.flags = 1;
        for (std::uint32_t r = 0; r < 1 + random() % 3; ++r) {
            o.targets.push_back(i + static_cast<std::uint32_t>(random() % 256));
            o.labels.push_back(static_cast<std::uint32_t>(random() % 40));
        }
    }
    return objects;
}
} // namespace

TEST(SnapshotChunk, GivenTheLargestAndSmallestValuesARecordHolds_ThenBothLayoutsReadThemBack)
{
    std::vector<Object> objects;
    objects.push_back({ 0, 0, -5, 0, 0, 0, {}, {} }); // a negative refcount is stored as 0
    objects.push_back({ kChunkMaxAddress, kChunkMaxSize, std::int64_t { 1 } << 40, UINT32_MAX, UINT32_MAX, 0xff,
        { 0, 1 }, { 2, 0x80000003 } });
    objects.push_back({ 0x10, 1, 0xFFFFFFFF, 7, 0, 8, { 5 }, { 0 } });
    objects.push_back({ kChunkMaxAddress - 8, kChunkMaxSize - 1, 1, UINT32_MAX - 1, 1, 1, {}, {} });
    expectBothLayoutsReadBack(objects);
}

TEST(SnapshotChunk, GivenOneObjectOrAllAlike_ThenAPackedRecordTakesNoBytes)
{
    const Object one { 0x7f00'0000'1230, 56, 2, 9, 4'000'000, 1, {}, {} };
    expectBothLayoutsReadBack({ one });
    const auto packed = build(ChunkLayout::Packed, std::vector<Object>(kChunkObjects, one));
    // The shift and seven widths, then the bases: address 6 bytes, size 1, refcount 1, type 1,
    // label 3, flags 1; every record holds only its label's 1 (the base; 0 would be none).
    EXPECT_EQ(packed.size(), 8u + 6 + 1 + 1 + 1 + 3 + 1 + kChunkObjects);
    expectBothLayoutsReadBack(std::vector<Object>(kChunkObjects, one));
    Object unlabelled = one;
    unlabelled.label = 0;
    EXPECT_EQ(build(ChunkLayout::Packed, std::vector<Object>(kChunkObjects, unlabelled)).size(), 8u + 6 + 1 + 1 + 1 + 1)
        << "records of no bytes";
    expectBothLayoutsReadBack(std::vector<Object>(kChunkObjects, unlabelled));
}

TEST(SnapshotChunk, GivenAddressesAMegabyteApart_ThenTheShiftStopsAt15AndTheyReadBack)
{
    std::vector<Object> objects;
    for (std::uint64_t i = 0; i < 5; ++i)
        objects.push_back({ 0x5500'0000'0000 + (i << 20), 64, 1, 2, 0, 1, {}, {} });
    const auto packed = build(ChunkLayout::Packed, objects);
    EXPECT_EQ(packed[0], 15) << "the shift";
    EXPECT_EQ(packed[1] & 15, 1) << "(4 MiB >> 15) fits a byte";
    expectBothLayoutsReadBack(objects);
}

TEST(SnapshotChunk, GivenLabelsAboveZeroThatAreCloseTogether_ThenTheyTakeOneByteBesideTheUnlabelled)
{
    std::vector<Object> objects;
    for (std::uint32_t i = 0; i < 100; ++i)
        objects.push_back({ 0x1000 + 16 * i, 64, 1, 2, i % 2 == 0 ? 0 : 9'000'000 + i, 1, {}, {} });
    const auto packed = build(ChunkLayout::Packed, objects);
    EXPECT_EQ(packed[1 + 4] & 15, 1) << "labels 9000001..9000099 and 0 in one byte each";
    expectBothLayoutsReadBack(objects);
}

TEST(SnapshotChunk, GivenHeapLikeChunks_ThenPackedRecordsTakeUnder7BytesEachAndReadBack)
{
    std::mt19937_64 random(42);
    std::size_t packedRecords = 0, objects = 0;
    for (std::uint32_t chunk = 0; chunk < 20; ++chunk) {
        const auto heap = heapLikeChunk(random, 1'000'000 + chunk * 50);
        expectBothLayoutsReadBack(heap);
        const auto packed = build(ChunkLayout::Packed, heap, chunk * kChunkObjects);
        const auto records = build(ChunkLayout::Records, heap, chunk * kChunkObjects);
        const std::size_t refs = records.size() - kChunkRecordBytes * heap.size();
        packedRecords += packed.size() - refs;
        objects += heap.size();
    }
    // Address 3 bytes (4 MiB by 16), size 1, refcount 1, type 1, label 1, flags 0, refs_end 2:
    // 9 bytes against 29, the header's 20 bytes per chunk besides.
    EXPECT_LE(static_cast<double>(packedRecords) / objects, 9.2);
}

TEST(SnapshotChunk, GivenABuilderReusedAfterFinish_ThenTheNextChunkHoldsOnlyItsOwnObjects)
{
    std::mt19937_64 random(7);
    const auto first = heapLikeChunk(random, 10);
    auto second = heapLikeChunk(random, 500);
    second.resize(3);
    ChunkBuilder builder(ChunkLayout::Packed);
    for (std::uint32_t i = 0; i < first.size(); ++i)
        builder.add(i, first[i].address, first[i].type, first[i].size, first[i].refcount, first[i].flags,
            first[i].label, first[i].targets, first[i].labels);
    builder.finish();
    for (std::uint32_t i = 0; i < second.size(); ++i)
        builder.add(i, second[i].address, second[i].type, second[i].size, second[i].refcount, second[i].flags,
            second[i].label, second[i].targets, second[i].labels);
    const auto blob = builder.finish();
    const std::vector<unsigned char> bytes(blob.begin(), blob.end());
    expectReadsBack(ChunkLayout::Packed, bytes, second, build(ChunkLayout::Records, second), ChunkLayout::Records);
}
