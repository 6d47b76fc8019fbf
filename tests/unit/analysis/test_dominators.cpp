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

// Objects without references of their own and with up to four referrers are set aside by the
// search and dominated by their referrers' nearest common dominator; here far up a deep chain.
TEST(Dominators,
    GivenObjectsWithoutReferencesAlongADeepChain_WhenDominatorsAreComputed_ThenEachHangsFromItsReferrersCommonDominator)
{
    constexpr std::size_t kLength = 3000;
    HandHeap h;
    auto root = h.tracked("dict", 100, 1);
    auto side = h.tracked("list", 50, 0);
    h.attr(root, side, "side");
    std::vector<ObjectId> chain;
    for (std::size_t i = 0; i < kLength; ++i)
        chain.push_back(h.tracked("__main__.Node", 10, 0));
    h.attr(root, chain[0], "head");
    for (std::size_t i = 0; i + 1 < kLength; ++i)
        h.attr(chain[i], chain[i + 1], "next");
    std::vector<ObjectId> own, pair, shared;
    for (std::size_t i = 0; i < kLength; ++i) {
        own.push_back(h.leaf("str", 1, 0)); // one referrer
        h.attr(chain[i], own.back(), "name");
        pair.push_back(h.leaf("int", 2, 0)); // this node and the one 7 further (or the last)
        h.attr(chain[i], pair.back(), "id");
        h.attr(chain[std::min(i + 7, kLength - 1)], pair.back(), "other");
        shared.push_back(h.leaf("float", 4, 0)); // this node and the side list: only the root above both
        h.attr(chain[i], shared.back(), "value");
        h.item(side, shared.back(), i);
    }
    // Referred to from five places down the chain: searched like any other object.
    auto many = h.leaf("tuple", 1000, 0);
    for (std::size_t i : { kLength - 1, kLength / 2, kLength / 3, std::size_t { 17 }, std::size_t { 9 } })
        h.item(chain[i], many, 0);
    HeapGraph g = h.build();
    auto t = computeDominators(g, findRoots(g));

    EXPECT_EQ(t.reachableCount, g.objectCount());
    for (std::size_t i = 0; i < kLength; ++i) {
        ASSERT_EQ(t.idom[own[i]], chain[i]) << i;
        ASSERT_EQ(t.idom[pair[i]], chain[i]) << i;
        ASSERT_EQ(t.idom[shared[i]], root) << i;
    }
    EXPECT_EQ(t.idom[many], chain[9]);
    // The chain's node i keeps the rest of the chain, their own strs and ints, and the tuple.
    const std::uint64_t perNode = 10 + 1 + 2;
    EXPECT_EQ(t.retained[chain[9]], (kLength - 9) * perNode + 1000);
    EXPECT_EQ(t.retained[chain[kLength - 1]], perNode);
    EXPECT_EQ(t.retained[side], 50u);
    EXPECT_EQ(t.retained[root], 100 + 50 + kLength * (perNode + 4) + 1000);
}
