// Retention paths on hand-made heaps: shortest first, distinct holders, roots and garbage.
#include "GraphSupport.h"

#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

namespace {
struct Fixture {
    explicit Fixture(HeapGraph graph)
        : g(std::move(graph))
        , roots(findRoots(g))
        , referrers(buildReferrers(g))
        , finder(g, roots, referrers)
    {
    }
    HeapGraph g;
    RootSet roots;
    Referrers referrers;
    RetentionPathFinder finder;
};

std::vector<ObjectId> objectsOf(const RetentionPath& p)
{
    std::vector<ObjectId> out;
    for (auto& s : p.steps)
        out.push_back(s.object);
    return out;
}
} // namespace

TEST(RetentionPaths,
    GivenANodeHeldByAModuleListAndByAnotherDict_WhenAskedWhy_ThenTheShortestPathComesFirstAndTheOtherHolderSecond)
{
    HandHeap h;
    auto modules = h.tracked("dict", 1200, 1, ExplicitRoot);
    auto mainDict = h.tracked("dict", 600, 0);
    auto cache = h.tracked("list", 88, 0);
    auto node = h.tracked("__main__.Node", 48, 0);
    auto registry = h.tracked("dict", 232, 1);
    auto bucket = h.tracked("list", 56, 0);
    h.attr(modules, mainDict, "__main__");
    h.attr(mainDict, cache, "CACHE");
    h.item(cache, node, 3);
    h.attr(registry, bucket, "nodes");
    h.item(bucket, node, 0);
    h.item(bucket, node, 1); // twice in the same list: still one holder
    Fixture f(h.build());

    auto result = f.finder.find(node, 5);
    ASSERT_TRUE(result.reachable);
    ASSERT_EQ(result.paths.size(), 2u);
    EXPECT_EQ(objectsOf(result.paths[0]), (std::vector<ObjectId> { registry, bucket, node }));
    EXPECT_EQ(objectsOf(result.paths[1]), (std::vector<ObjectId> { modules, mainDict, cache, node }));
    EXPECT_EQ(result.paths[0].length(), 2u);
    EXPECT_EQ(result.paths[1].steps[2].edgeLabel, indexLabel(3));
    EXPECT_EQ(result.paths[1].steps[3].edgeLabel, kNoEdgeLabel);
    EXPECT_EQ(f.finder.distance(node), 2u);

    const std::string text = describePath(f.g, result.paths[1]);
    EXPECT_NE(text.find("dict@0x"), std::string::npos) << text;
    EXPECT_NE(text.find("--'__main__'--> dict@0x"), std::string::npos) << text;
    EXPECT_NE(text.find("--'CACHE'--> list@0x"), std::string::npos) << text;
    EXPECT_NE(text.find("--[3]--> __main__.Node@0x"), std::string::npos) << text;

    auto one = f.finder.find(node);
    ASSERT_EQ(one.paths.size(), 1u);
    EXPECT_EQ(objectsOf(one.paths[0]), objectsOf(result.paths[0]));
}

TEST(RetentionPaths, GivenGarbage_WhenAskedWhy_ThenThereIsNoPath)
{
    HandHeap h;
    h.tracked("dict", 100, 1);
    auto p = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    auto q = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    h.attr(p, q, "friend");
    h.attr(q, p, "friend");
    Fixture f(h.build());
    auto result = f.finder.find(q, 3);
    EXPECT_FALSE(result.reachable);
    EXPECT_TRUE(result.paths.empty());
    EXPECT_EQ(describePaths(f.g, result), "no path: unreachable");
    EXPECT_EQ(f.finder.distance(q), kNoDistance);
}

TEST(RetentionPaths, GivenARootThatIsAlsoReferenced_WhenAskedWhy_ThenTheFirstPathIsTheRootItself)
{
    HandHeap h;
    auto holder = h.tracked("list", 56, 1);
    auto target = h.tracked("dict", 232, 1);
    h.item(holder, target, 0);
    h.item(target, target, 0); // a self reference is never a reason
    Fixture f(h.build());
    auto result = f.finder.find(target, 3);
    ASSERT_EQ(result.paths.size(), 2u);
    EXPECT_EQ(objectsOf(result.paths[0]), (std::vector<ObjectId> { target }));
    EXPECT_EQ(result.paths[0].length(), 0u);
    EXPECT_EQ(objectsOf(result.paths[1]), (std::vector<ObjectId> { holder, target }));
}

TEST(RetentionPaths, GivenAHolderReachedOnlyThroughTheTarget_WhenAskedWhy_ThenThatLoopIsNotAPath)
{
    HandHeap h;
    auto root = h.tracked("dict", 232, 1);
    auto target = h.tracked("__main__.Node", 48, 0);
    auto child = h.tracked("__main__.Node", 48, 0);
    h.attr(root, target, "head");
    h.attr(target, child, "next");
    h.attr(child, target, "prev");
    Fixture f(h.build());
    auto result = f.finder.find(target, 5);
    ASSERT_EQ(result.paths.size(), 1u);
    EXPECT_EQ(objectsOf(result.paths[0]), (std::vector<ObjectId> { root, target }));
}

TEST(RetentionPaths, GivenObjectsFartherThanAByteCounts_WhenAskedWhy_ThenDistancesAndTheOrderOfHoldersAreExact)
{
    // A root heads a chain of 600 nodes; a second root holds node 400, so the chain's end is 200
    // edges from a root; node 270 also holds the end. The finder keeps distances below 254 in a
    // byte and counts the rest up the tree: every distance here must still be exact.
    HandHeap h;
    std::vector<ObjectId> node;
    for (int i = 0; i < 600; ++i)
        node.push_back(h.tracked("__main__.Node", 56, i == 0 ? 1 : 0));
    for (int i = 0; i + 1 < 600; ++i)
        h.attr(node[i], node[i + 1], "next");
    const auto shortcut = h.tracked("dict", 100, 1);
    h.item(shortcut, node[400], 0);
    h.attr(node[270], node[599], "last");
    Fixture f(h.build());
    for (int i = 0; i <= 400; ++i)
        ASSERT_EQ(f.finder.distance(node[i]), i == 400 ? 1u : static_cast<std::uint32_t>(i)) << i;
    for (int i = 401; i < 599; ++i)
        ASSERT_EQ(f.finder.distance(node[i]), static_cast<std::uint32_t>(i - 399)) << i;
    EXPECT_EQ(f.finder.distance(node[599]), 200u); // through 400 and 598, not through 270 (271)

    const auto why = f.finder.find(node[599], 2);
    ASSERT_EQ(why.paths.size(), 2u);
    EXPECT_EQ(why.paths[0].length(), 200u);
    EXPECT_EQ(why.paths[0].steps.front().object, shortcut);
    EXPECT_EQ(why.paths[0].steps[why.paths[0].steps.size() - 2].object, node[598]);
    EXPECT_EQ(why.paths[1].length(), 271u);
    EXPECT_EQ(why.paths[1].steps.front().object, node[0]);
    EXPECT_EQ(why.paths[1].steps[why.paths[1].steps.size() - 2].object, node[270]);
    EXPECT_EQ(f.g.edgeLabelText(why.paths[1].steps[why.paths[1].steps.size() - 2].edgeLabel), "last");
}
