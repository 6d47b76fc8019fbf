// The graph model: the builder's CSR, address resolution, labels, and the referrers index.
#include "analysis/HeapGraph.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/Referrers.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

using namespace gcscope::analysis;

TEST(HeapGraphBuilder, GivenEdgesByAddressBeforeTheirObjects_WhenBuilt_ThenEachObjectKeepsItsEdgesInArrivalOrder)
{
    HeapGraphBuilder b;
    const auto items = b.internString("items");
    b.addEdgeByAddress(0x300, 0x100, items); // both ends unknown yet
    auto list = b.addObject({ 0x300, "list", 88, 1, Tracked });
    b.addEdgeToAddress(list, 0x200, indexLabel(1));
    auto a = b.addObject({ 0x100, "str", 50, 2, 0, "hello" });
    auto c = b.addObject({ 0x200, "int", 28, 5, 0 });
    b.addEdge(list, a, indexLabel(2));
    b.addEdge(c, a);

    HeapGraph g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), 0u);
    ASSERT_EQ(g.objectCount(), 3u);
    ASSERT_EQ(g.edgeCount(), 4u);
    ASSERT_EQ(g.edgeBegin.size(), 4u);
    auto targets = g.referents(list);
    ASSERT_EQ(targets.size(), 3u);
    EXPECT_EQ(targets[0], a);
    EXPECT_EQ(targets[1], c);
    EXPECT_EQ(targets[2], a);
    auto labels = g.referentLabels(list);
    EXPECT_EQ(g.edgeLabelText(labels[0]), "items");
    EXPECT_EQ(g.edgeLabelText(labels[1]), "[1]");
    EXPECT_EQ(g.edgeLabelText(labels[2]), "[2]");
    EXPECT_TRUE(g.referents(a).empty());
    ASSERT_EQ(g.referents(c).size(), 1u);
    EXPECT_EQ(g.referentLabels(c)[0], kNoEdgeLabel);
    EXPECT_EQ(g.typeName(list), "list");
    EXPECT_EQ(g.labelText(a), "hello");
    EXPECT_EQ(g.labelText(list), "");
    EXPECT_TRUE(g.isTracked(list));
    EXPECT_FALSE(g.isTracked(a));
}

TEST(HeapGraphBuilder, GivenAReferenceToAnAddressNotInTheSnapshot_WhenBuilt_ThenItIsDroppedAndCounted)
{
    HeapGraphBuilder b;
    auto d = b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdgeToAddress(d, 0xdead);
    b.addEdgeByAddress(0xbeef, 0x10);
    b.addEdgeToAddress(d, 0x10);
    HeapGraph g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), 2u);
    ASSERT_EQ(g.edgeCount(), 1u);
    EXPECT_EQ(g.referents(d)[0], d);
}

TEST(HeapGraphBuilder, GivenTwoObjectsWithOneAddress_WhenBuilt_ThenItRefuses)
{
    HeapGraphBuilder b;
    b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addObject({ 0x10, "list", 100, 1, Tracked });
    EXPECT_THROW(b.build(), std::invalid_argument);
}

TEST(HeapGraphBuilder, GivenAnEdgeToAnIdNeverAdded_WhenBuilt_ThenItRefuses)
{
    HeapGraphBuilder b;
    auto d = b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdge(d, 7);
    EXPECT_THROW(b.build(), std::out_of_range);
}

TEST(HeapGraphBuilder, GivenAnObjectWithATypeIndexNeverInterned_WhenBuilt_ThenItRefuses)
{
    HeapGraphBuilder b;
    b.addObject(0x10, 3, 100, 1, Tracked);
    EXPECT_THROW(b.build(), std::out_of_range);
}

TEST(HeapGraphBuilder, GivenABuiltGraph_WhenTheBuilderIsUsedAgain_ThenItStartsFromNothing)
{
    HeapGraphBuilder b;
    b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdge(0, 0);
    (void)b.build();
    EXPECT_EQ(b.objectCount(), 0u);
    b.addObject({ 0x20, "list", 56, 1, Tracked });
    HeapGraph g = b.build();
    ASSERT_EQ(g.objectCount(), 1u);
    EXPECT_EQ(g.edgeCount(), 0u);
    EXPECT_EQ(g.typeNames.size(), 1u);
    EXPECT_EQ(g.strings.size(), 1u);
}

// The counts given to reserve() come from an agent's SnapshotBegin or a file's snapshots row: a
// hostile or damaged one claimed billions (found by fuzz_snapshot_stream: a 6 GB allocation, and
// a length_error for more edges than a vector can hold).
TEST(HeapGraphBuilder, GivenAbsurdCountsToReserve_WhenObjectsArrive_ThenNothingIsAllocatedForThemAndTheGraphBuilds)
{
    HeapGraphBuilder b;
    EXPECT_NO_THROW(b.reserve(std::size_t { 1 } << 40, std::numeric_limits<std::size_t>::max() / 2));
    auto list = b.addObject({ 0x100, "list", 64, 1, Tracked });
    b.addEdgeToAddress(list, 0x100);
    HeapGraph g = b.build();
    EXPECT_EQ(g.objectCount(), 1u);
    EXPECT_EQ(g.edgeCount(), 1u);
    EXPECT_LE(g.address.capacity(), std::size_t { 1 } << 20);
}

TEST(HeapGraph, GivenObjectsAddedOutOfAddressOrder_WhenFoundByAddress_ThenEachIdComesBack)
{
    HeapGraphBuilder b;
    const std::uint64_t addresses[] = { 0x500, 0x100, 0x900, 0x300 };
    for (auto a : addresses)
        b.addObject({ a, "object", 16, 1, Tracked });
    HeapGraph g = b.build();
    for (ObjectId id = 0; id < 4; ++id)
        EXPECT_EQ(g.find(addresses[id]), id);
    EXPECT_EQ(g.find(0x200), kNoObject);
    EXPECT_EQ(g.find(0x1000), kNoObject);
    EXPECT_EQ(g.find(0), kNoObject);
}

TEST(HeapGraph, GivenEdgeLabels_WhenDecoded_ThenIndexAndNameLabelsAreTellable)
{
    EXPECT_TRUE(isIndexLabel(indexLabel(0)));
    EXPECT_EQ(labelIndex(indexLabel(0)), 0u);
    EXPECT_EQ(labelIndex(indexLabel(123456)), 123456u);
    EXPECT_EQ(labelIndex(indexLabel(1ull << 40)), 0x7fffffffu); // clamped, never a name
    EXPECT_FALSE(isNameLabel(kNoEdgeLabel));
    EXPECT_FALSE(isIndexLabel(kNoEdgeLabel));
    HeapGraphBuilder b;
    EXPECT_EQ(b.internString(""), 0u);
    const auto name = b.internString("next");
    EXPECT_EQ(b.internString("next"), name);
    EXPECT_TRUE(isNameLabel(name));
    HeapGraph g = b.build();
    EXPECT_EQ(g.strings[0], "");
    EXPECT_EQ(g.edgeLabelText(name), "next");
    EXPECT_EQ(g.edgeLabelText(kNoEdgeLabel), "");
}

TEST(Referrers, GivenAListHoldingAnObjectTwice_WhenReferrersAreBuilt_ThenBothReferencesAppearInSourceOrder)
{
    HeapGraphBuilder b;
    auto target = b.addObject({ 0x10, "str", 50, 3, 0 });
    auto list = b.addObject({ 0x20, "list", 72, 1, Tracked });
    auto dict = b.addObject({ 0x30, "dict", 100, 1, Tracked });
    const auto key = b.internString("k");
    b.addEdge(dict, target, key);
    b.addEdge(list, target, indexLabel(0));
    b.addEdge(list, target, indexLabel(1));
    b.addEdge(list, dict, indexLabel(2));
    HeapGraph g = b.build();
    Referrers r = buildReferrers(g);

    auto expected = std::vector<Reference> { { list, indexLabel(0) }, { list, indexLabel(1) }, { dict, key } };
    EXPECT_EQ(referrersOf(r, target), expected);
    EXPECT_EQ(referrersOf(r, dict), (std::vector<Reference> { { list, indexLabel(2) } }));
    EXPECT_TRUE(referrersOf(r, list).empty());
    EXPECT_EQ(referentsOf(g, list),
        (std::vector<Reference> { { target, indexLabel(0) }, { target, indexLabel(1) }, { dict, indexLabel(2) } }));
    EXPECT_EQ(r.begin.size(), g.objectCount() + 1);
    EXPECT_EQ(r.source.size(), g.edgeCount());
}
