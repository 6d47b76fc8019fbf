// Dominator tree and retained sizes on hand-made heaps.
#include "GraphSupport.h"

#include "analysis/Dominators.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

TEST(Dominators, GivenADiamondUnderOneRoot_WhenDominatorsAreComputed_ThenTheJoinBelongsToTheRoot)
{
    HandHeap h;
    auto a = h.tracked("dict", 100, 1);
    auto b = h.tracked("list", 10, 0);
    auto c = h.tracked("list", 20, 0);
    auto d = h.tracked("dict", 40, 0);
    auto e = h.leaf("str", 5, 1);
    h.attr(a, b, "b");
    h.attr(a, c, "c");
    h.item(b, d, 0);
    h.item(c, d, 0);
    h.attr(d, e, "e");
    HeapGraph g = h.build();
    auto t = computeDominators(g, findRoots(g));

    EXPECT_EQ(t.idom[a], kVirtualRoot);
    EXPECT_EQ(t.idom[b], a);
    EXPECT_EQ(t.idom[c], a);
    EXPECT_EQ(t.idom[d], a);
    EXPECT_EQ(t.idom[e], d);
    EXPECT_EQ(t.retained[a], 175u);
    EXPECT_EQ(t.retained[b], 10u);
    EXPECT_EQ(t.retained[d], 45u);
    EXPECT_EQ(t.reachableCount, 5u);
    EXPECT_EQ(t.topRetained(2), (std::vector<ObjectId> { a, d }));
    EXPECT_EQ(t.topRetained(100).size(), 5u);

    auto children = buildDominatorChildren(t);
    auto top = children.of(kVirtualRoot);
    EXPECT_EQ(std::vector<ObjectId>(top.begin(), top.end()), (std::vector<ObjectId> { a }));
    auto underA = children.of(a);
    EXPECT_EQ(std::vector<ObjectId>(underA.begin(), underA.end()), (std::vector<ObjectId> { b, c, d }));
    EXPECT_TRUE(children.of(e).empty());
}

TEST(Dominators, GivenALeafSharedByTwoRoots_WhenDominatorsAreComputed_ThenOnlyTheVirtualRootDominatesIt)
{
    HandHeap h;
    auto l1 = h.tracked("list", 56, 1);
    auto l2 = h.tracked("list", 56, 1);
    auto s = h.leaf("str", 1000, 0);
    h.item(l1, s, 0);
    h.item(l2, s, 0);
    HeapGraph g = h.build();
    auto t = computeDominators(g, findRoots(g));
    EXPECT_EQ(t.idom[s], kVirtualRoot);
    EXPECT_EQ(t.retained[l1], 56u);
    EXPECT_EQ(t.retained[s], 1000u);
}

TEST(
    Dominators, GivenGarbageAndWhatOnlyGarbageHolds_WhenDominatorsAreComputed_ThenTheyAreOutsideTheTreeWithTheirOwnSize)
{
    HandHeap h;
    auto root = h.tracked("dict", 100, 1);
    auto p = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    auto q = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    auto name = h.leaf("str", 60, 0);
    h.attr(p, q, "friend");
    h.attr(q, p, "friend");
    h.attr(p, name, "name");
    HeapGraph g = h.build();
    auto t = computeDominators(g, findRoots(g));
    EXPECT_TRUE(t.isReachable(root));
    for (ObjectId id : { p, q, name }) {
        EXPECT_FALSE(t.isReachable(id));
        EXPECT_EQ(t.idom[id], kNoObject);
        EXPECT_EQ(t.retained[id], g.size[id]);
    }
    EXPECT_EQ(t.reachableCount, 1u);
    EXPECT_TRUE(buildDominatorChildren(t).of(p).empty());
}

TEST(Dominators, GivenAnExplicitRoot_WhenDominatorsAreComputed_ThenItHangsFromTheVirtualRoot)
{
    HandHeap h;
    auto modules = h.tracked("dict", 1200, 0, ExplicitRoot);
    auto module = h.tracked("module", 80, 0);
    h.attr(modules, module, "app");
    HeapGraph g = h.build();
    auto t = computeDominators(g, findRoots(g));
    EXPECT_EQ(t.idom[modules], kVirtualRoot);
    EXPECT_EQ(t.idom[module], modules);
    EXPECT_EQ(t.retained[modules], 1280u);
}
