// The snapshot_objects.refs encoding (storage/src/ReferenceBlob.h): exact round trips at the
// extremes, its size for typical references, and a clean "malformed" for every kind of bad blob.
#include "ReferenceBlob.h"

#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace gcscope;
using namespace gcscope::storage;

namespace {
using Bytes = std::vector<unsigned char>;

std::vector<StoredReference> roundTrip(std::uint32_t self, const std::vector<StoredReference>& refs)
{
    Bytes blob;
    encodeReferences(self, refs, blob);
    std::vector<StoredReference> decoded { { 1, 1 } }; // replaced, not appended to
    EXPECT_TRUE(decodeReferences(self, blob, decoded));
    return decoded;
}

bool decodes(std::uint32_t self, const Bytes& blob)
{
    std::vector<StoredReference> out;
    return decodeReferences(self, blob, out);
}
} // namespace

TEST(StorageReferenceBlob, GivenEveryLabelKindAndExtremeIds_WhenEncodedAndDecoded_ThenTheyComeBackExactly)
{
    constexpr std::uint32_t kMax = UINT32_MAX;
    const std::vector<StoredReference> refs {
        { 0, 0 }, // no label
        { kMax, wire::kEdgeIndexBit | 0 }, // index 0, farthest forward jump
        { 0, wire::kEdgeIndexBit | 0x7fff'ffffu }, // largest index, farthest backward jump
        { 7, 1 }, // a string id
        { 7, 0x7fff'ffffu }, // the largest string id, the same target twice
        { kMax - 1, 3 },
    };
    for (std::uint32_t self : { 0u, 7u, 1'000'000u, kMax - 1, kMax })
        EXPECT_EQ(roundTrip(self, refs), refs) << "self " << self;
    EXPECT_TRUE(roundTrip(5, {}).empty());
}

TEST(StorageReferenceBlob, GivenTheExampleInTheSchemaDocs_WhenEncoded_ThenTheBytesAreTheDocumentedOnes)
{
    // docs/schema.md: object 10 refers to object 11 at index 0 and to object 9 under string 3.
    const std::vector<StoredReference> refs { { 11, wire::kEdgeIndexBit | 0 }, { 9, 3 } };
    Bytes blob;
    encodeReferences(10, refs, blob);
    EXPECT_EQ(blob, (Bytes { 0x02, 0x01, 0x03, 0x06 }));
}

TEST(StorageReferenceBlob, GivenNearbyTargetsAndSmallLabels_WhenEncoded_ThenEachReferenceTakesTwoBytes)
{
    // A list of objects allocated one after another, as Python heaps often are.
    std::vector<StoredReference> refs;
    for (std::uint32_t i = 0; i < 60; ++i)
        refs.push_back({ 500'001 + i, wire::kEdgeIndexBit | i });
    refs.push_back({ 500'100, 20 }); // attribute name 20
    refs.push_back({ 500'090, 0 });
    Bytes blob;
    encodeReferences(500'000, refs, blob);
    EXPECT_EQ(blob.size(), 2 * refs.size());
    EXPECT_EQ(roundTrip(500'000, refs), refs);
}

TEST(StorageReferenceBlob, GivenAMalformedBlob_WhenDecoded_ThenItIsRejected)
{
    EXPECT_TRUE(decodes(3, {})) << "empty: no references";
    EXPECT_TRUE(decodes(3, { 0x02, 0x00 })) << "target 4, no label";
    EXPECT_FALSE(decodes(3, { 0x82 })) << "varint cut short";
    EXPECT_FALSE(decodes(3, { 0x02 })) << "target without its label";
    EXPECT_FALSE(decodes(3, { 0x02, 0x00, 0x04 })) << "second reference cut short";
    EXPECT_FALSE(decodes(3, { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 })) << "varint longer than 5 bytes";
    EXPECT_FALSE(decodes(0, { 0x01, 0x00 })) << "target -1";
    EXPECT_FALSE(decodes(UINT32_MAX, { 0x02, 0x00 })) << "target 2^32";
    EXPECT_FALSE(decodes(3, { 0x00, 0x80, 0x80, 0x80, 0x80, 0x20 })) << "label code of 2^33";
}
