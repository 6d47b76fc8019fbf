// A million objects deep: every algorithm must be iterative (a recursive DFS would overflow the
// stack long before this) and still exact.
#include "analysis/HeapAnalysis.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/RetentionPaths.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;

namespace {
constexpr ObjectId kDepth = 1'000'000;
constexpr std::uint64_t kNodeSize = 56;

// head -> n1 -> n2 -> ... -> tail, every node a Tracked Node. `held` external references on the
// head; `closeRing` adds tail -> head.
HeapGraph chain(std::int64_t held, bool closeRing)
{
    HeapGraphBuilder b;
    b.reserve(kDepth, kDepth);
    const auto type = b.internType("__main__.Node");
    const auto next = b.internString("next");
    for (ObjectId i = 0; i < kDepth; ++i)
        b.addObject(0x10000000ull + i * 64ull, type, kNodeSize, 1, Tracked);
    for (ObjectId i = 0; i + 1 < kDepth; ++i)
        b.addEdge(i, i + 1, next);
    if (closeRing)
        b.addEdge(kDepth - 1, 0, next);
    HeapGraph g = b.build();
    g.refcount[0] = (closeRing ? 1 : 0) + held;
    return g;
}
} // namespace

TEST(DeepHeaps, GivenAMillionDeepLinkedListHeldByItsHead_WhenFullyAnalysed_ThenRetainedSizesCountTheRestOfTheList)
{
    HeapGraph g = chain(1, false);
    HeapAnalysis a = analyzeHeap(g);
    EXPECT_EQ(a.roots.roots, (std::vector<ObjectId> { 0 }));
    EXPECT_EQ(a.unreachable.count(), 0u);
    EXPECT_TRUE(a.cycles.cycles.empty());
    EXPECT_EQ(a.cycles.componentCount, kDepth);
    EXPECT_EQ(a.dominators.reachableCount, kDepth);
    EXPECT_EQ(a.dominators.idom[0], kVirtualRoot);
    for (ObjectId i = 1; i < kDepth; ++i)
        ASSERT_EQ(a.dominators.idom[i], i - 1);
    for (ObjectId i = 0; i < kDepth; ++i)
        ASSERT_EQ(a.dominators.retained[i], (kDepth - i) * kNodeSize);
    EXPECT_EQ(a.dominators.topRetained(1), (std::vector<ObjectId> { 0 }));

    RetentionPathFinder finder(g, a.roots, a.referrers);
    EXPECT_EQ(finder.distance(253), 253u);
    EXPECT_EQ(finder.distance(254), 254u);
    EXPECT_EQ(finder.distance(100000), 100000u);
    EXPECT_EQ(finder.distance(kDepth - 1), kDepth - 1);
    auto why = finder.find(kDepth - 1);
    ASSERT_EQ(why.paths.size(), 1u);
    EXPECT_EQ(why.paths[0].length(), kDepth - 1);
    EXPECT_EQ(why.paths[0].steps.front().object, 0u);
    EXPECT_EQ(g.edgeLabelText(why.paths[0].steps.front().edgeLabel), "next");
}

TEST(DeepHeaps, GivenAMillionLongRingNothingHolds_WhenFullyAnalysed_ThenItIsOneGarbageCycle)
{
    HeapGraph g = chain(0, true);
    HeapAnalysis a = analyzeHeap(g);
    EXPECT_TRUE(a.roots.roots.empty());
    EXPECT_EQ(a.unreachable.count(), kDepth);
    ASSERT_EQ(a.cycles.cycles.size(), 1u);
    EXPECT_EQ(a.cycles.cycles[0].memberCount, kDepth);
    EXPECT_EQ(a.cycles.cycles[0].totalSize, kDepth * kNodeSize);
    EXPECT_TRUE(a.cycles.cycles[0].unreachable);
    EXPECT_EQ(a.dominators.reachableCount, 0u);
    EXPECT_EQ(a.dominators.retained[0], kNodeSize);
    RetentionPathFinder finder(g, a.roots, a.referrers);
    EXPECT_FALSE(finder.find(kDepth / 2).reachable);
}

TEST(DeepHeaps, GivenAMillionLongRingHeldAtOneNode_WhenFullyAnalysed_ThenTheHeldNodeRetainsTheRing)
{
    HeapGraph g = chain(1, true);
    HeapAnalysis a = analyzeHeap(g);
    EXPECT_EQ(a.unreachable.count(), 0u);
    ASSERT_EQ(a.cycles.cycles.size(), 1u);
    EXPECT_FALSE(a.cycles.cycles[0].unreachable);
    EXPECT_EQ(a.dominators.retained[0], kDepth * kNodeSize);
    EXPECT_EQ(a.dominators.retained[kDepth - 1], kNodeSize);
    EXPECT_EQ(a.dominators.idom[kDepth - 1], kDepth - 2);
}

// Each node's value is also held by an index at the top: its dominator is the virtual root, and
// finding it from the node's side is a walk up the whole list. A walk per value would take half a
// million million steps (this test would time out); the dominators give up on setting such values
// aside after as many steps as the heap has objects and references, and search every object.
TEST(DeepHeaps,
    GivenAMillionDeepLinkedListWhoseValuesAnIndexAlsoHolds_WhenDominatorsAreComputed_ThenEveryValueHangsFromTheVirtualRoot)
{
    HeapGraphBuilder b;
    b.reserve(2 * kDepth + 1, 3 * kDepth);
    const auto node = b.internType("__main__.Node");
    const auto value = b.internType("int");
    const ObjectId index = b.addObject(0x8000000ull, b.internType("dict"), 1000, 1, Tracked);
    for (ObjectId i = 0; i < kDepth; ++i)
        b.addObject(0x10000000ull + i * 64ull, node, kNodeSize, 1, Tracked);
    for (ObjectId i = 0; i < kDepth; ++i)
        b.addObject(0x80000000ull + i * 32ull, value, 28, 2, 0);
    auto nodeAt = [](ObjectId i) { return 1 + i; };
    auto valueAt = [](ObjectId i) { return 1 + kDepth + i; };
    for (ObjectId i = 0; i < kDepth; ++i)
        b.addEdge(index, valueAt(i));
    for (ObjectId i = 0; i < kDepth; ++i) {
        b.addEdge(nodeAt(i), valueAt(i));
        if (i + 1 < kDepth)
            b.addEdge(nodeAt(i), nodeAt(i + 1));
    }
    HeapGraph g = b.build();
    g.refcount[index] = 1; // held from outside, as is the head
    g.refcount[nodeAt(0)] = 1;
    const RootSet roots = findRoots(g);
    ASSERT_EQ(roots.roots, (std::vector<ObjectId> { index, nodeAt(0) }));
    const DominatorTree t = computeDominators(g, roots);
    EXPECT_EQ(t.reachableCount, g.objectCount());
    EXPECT_EQ(t.idom[index], kVirtualRoot);
    EXPECT_EQ(t.idom[nodeAt(0)], kVirtualRoot);
    for (ObjectId i = 1; i < kDepth; ++i)
        ASSERT_EQ(t.idom[nodeAt(i)], nodeAt(i - 1)) << i;
    for (ObjectId i = 0; i < kDepth; ++i)
        ASSERT_EQ(t.idom[valueAt(i)], kVirtualRoot) << i;
    EXPECT_EQ(t.retained[index], 1000u);
    EXPECT_EQ(t.retained[nodeAt(0)], kDepth * kNodeSize);
}
