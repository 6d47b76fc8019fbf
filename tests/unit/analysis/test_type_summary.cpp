// Type summaries: each type's instances by retained size, biggest first, ties by id, whichever way
// the slice is sorted (a comparison sort for small slices and wide ranges, a radix sort otherwise).
#include "GraphSupport.h"

#include "analysis/Dominators.h"
#include "analysis/Roots.h"
#include "analysis/TypeSummary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

namespace {
// A heap with types of every slice kind: "Node": 20,000 instances, each holding a chain of 0 to 5
// leaves (so retained sizes repeat); "Few": 100 instances; "Huge": 1,000 instances of sizes up to
// 2^40 (more than 4 GiB apart).
HeapGraph heapOfEverySliceKind()
{
    std::mt19937 random(5);
    HandHeap h;
    const auto root = h.tracked("Root", 64, 1);
    for (int i = 0; i < 20'000; ++i) {
        const auto node = h.tracked("Node", 16 + 8 * (random() % 4), 0);
        h.item(root, node, static_cast<std::uint64_t>(i));
        auto last = node;
        for (unsigned k = random() % 6; k > 0; --k) {
            const auto leaf = h.leaf("str", 50 + random() % 3, 0);
            h.ref(last, leaf);
            last = leaf;
        }
    }
    for (int i = 0; i < 100; ++i)
        h.attr(root, h.tracked("Few", 1 + random() % 5, 0), "few" + std::to_string(i));
    for (int i = 0; i < 1000; ++i)
        h.ref(root, h.tracked("Huge", (std::uint64_t { 1 } << (random() % 41)) + random() % 3, 0));
    // Garbage: a cycle of two "Node"s no root reaches, each holding a leaf.
    const auto a = h.tracked("Node", 40), b = h.tracked("Node", 40);
    h.ref(a, b);
    h.ref(b, a);
    h.ref(a, h.leaf("str", 60));
    return h.build();
}
} // namespace

TEST(TypeSummary, GivenTypesOfEverySliceKind_WhenSummarized_ThenEachTypesInstancesAreByRetainedSizeThenId)
{
    const HeapGraph g = heapOfEverySliceKind();
    const auto tree = computeDominators(g, findRoots(g));
    const auto summary = summarizeTypes(g, tree, buildDominatorChildren(tree));

    std::size_t seen = 0;
    for (const auto& type : summary.types) {
        SCOPED_TRACE(g.typeNames[type.type]);
        const auto instances = summary.instancesOf(type.type);
        ASSERT_EQ(instances.size(), type.count);
        std::vector<ObjectId> expected(instances.begin(), instances.end());
        std::sort(expected.begin(), expected.end(), [&tree](ObjectId a, ObjectId b) {
            return tree.retained[a] != tree.retained[b] ? tree.retained[a] > tree.retained[b] : a < b;
        });
        EXPECT_TRUE(std::equal(instances.begin(), instances.end(), expected.begin()));
        for (const ObjectId id : instances)
            ASSERT_EQ(g.type[id], type.type);
        seen += instances.size();
    }
    EXPECT_EQ(seen, g.objectCount()); // every object once
    // The big type's retained sizes repeat: the order of ties was really checked.
    const auto nodes = summary.instancesOf(g.type[1]);
    std::size_t ties = 0;
    for (std::size_t i = 1; i < nodes.size(); ++i)
        ties += tree.retained[nodes[i]] == tree.retained[nodes[i - 1]];
    EXPECT_GT(ties, 1000u);
}

TEST(TypeSummary, GivenItsTwoHalvesComputedApart_WhenJoined_ThenEachTypesTotalsFollowTheRule)
{
    const HeapGraph g = heapOfEverySliceKind();
    const auto tree = computeDominators(g, findRoots(g));
    const auto children = buildDominatorChildren(tree);
    auto instances = instancesByRetained(g, tree);
    const auto retained = retainedByType(g, tree, children);
    const auto summary = summarizeTypes(g, std::move(instances), retained);
    EXPECT_EQ(summary.types, summarizeTypes(g, tree, children).types);

    // The rule, object by object: a type retains what its instances retain that have no ancestor of
    // their own type in the tree (unreachable ones: their own size).
    std::vector<std::uint64_t> count(g.typeNames.size()), shallow(g.typeNames.size()), expected(g.typeNames.size());
    std::size_t nested = 0;
    for (ObjectId id = 0; id < g.objectCount(); ++id) {
        ++count[g.type[id]];
        shallow[g.type[id]] += g.size[id];
        bool outermost = true;
        for (ObjectId up = tree.idom[id]; up != kVirtualRoot && up != kNoObject; up = tree.idom[up])
            outermost = outermost && g.type[up] != g.type[id];
        nested += !outermost;
        if (outermost)
            expected[g.type[id]] += tree.retained[id];
    }
    EXPECT_GT(nested, 1000u); // leaves held in chains by leaves: the rule was really put to work
    EXPECT_FALSE(tree.isReachable(g.objectCount() - 1)); // the garbage's str: its own size
    ASSERT_EQ(summary.types.size(),
        static_cast<std::size_t>(std::count_if(count.begin(), count.end(), [](auto c) { return c > 0; })));
    for (std::size_t i = 0; i < summary.types.size(); ++i) {
        const auto& type = summary.types[i];
        SCOPED_TRACE(g.typeNames[type.type]);
        EXPECT_EQ(type.count, count[type.type]);
        EXPECT_EQ(type.shallowSize, shallow[type.type]);
        EXPECT_EQ(type.retainedSize, expected[type.type]);
        if (i > 0) {
            EXPECT_GE(summary.types[i - 1].retainedSize, type.retainedSize);
        }
    }
}

TEST(TypeSummary, GivenHalvesOfAnotherGraph_WhenJoined_ThenItIsRefused)
{
    const HeapGraph g = heapOfEverySliceKind();
    const auto tree = computeDominators(g, findRoots(g));
    HandHeap other;
    other.tracked("Root", 64, 1);
    const HeapGraph small = other.build();
    const auto smallTree = computeDominators(small, findRoots(small));
    EXPECT_THROW(
        summarizeTypes(g, instancesByRetained(small, smallTree), retainedByType(g, tree, buildDominatorChildren(tree))),
        std::invalid_argument);
}
