// Reference cycles on hand-made heaps: what counts as a cycle and what we report about it.
#include "GraphSupport.h"

#include "analysis/Cycles.h"
#include "analysis/Roots.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

namespace {
CycleReport cyclesOf(const HeapGraph& g)
{
    return findCycles(g, findUnreachable(g, findRoots(g)));
}

std::vector<ObjectId> membersOf(const CycleReport& r, const Cycle& c)
{
    auto m = r.members(c);
    return { m.begin(), m.end() };
}
} // namespace

TEST(Cycles, GivenAListContainingItself_WhenCyclesAreFound_ThenItIsAOneMemberCycle)
{
    HandHeap h;
    auto list = h.tracked("list", 64, 0);
    auto other = h.tracked("list", 64, 1); // no self reference: no cycle
    h.item(other, list, 0);
    h.item(list, list, 0);
    HeapGraph g = h.build();
    auto r = cyclesOf(g);
    ASSERT_EQ(r.cycles.size(), 1u);
    EXPECT_EQ(membersOf(r, r.cycles[0]), (std::vector<ObjectId> { list }));
    EXPECT_EQ(r.cycles[0].memberCount, 1u);
    EXPECT_FALSE(r.cycles[0].unreachable); // `other` holds it
    EXPECT_EQ(r.componentCount, 2u);
}

TEST(Cycles, GivenTwoPersonsWithDelAndARingOfNodes_WhenCyclesAreFound_ThenEachIsReportedWithTypesSizeAndFinalizers)
{
    HandHeap h;
    auto holder = h.tracked("dict", 232, 1);
    auto nodeType = h.tracked("type", 1000, 1);
    std::vector<ObjectId> ring;
    for (int i = 0; i < 3; ++i)
        ring.push_back(h.tracked("__main__.Node", 48, 0));
    auto ringDict = h.tracked("dict", 104, 0);
    for (int i = 0; i < 3; ++i) {
        h.attr(ring[i], ring[(i + 1) % 3], "next");
        h.ref(ring[i], nodeType);
    }
    h.attr(ring[0], ringDict, "__dict__");
    h.attr(ringDict, ring[0], "me");
    h.attr(holder, ring[1], "ring");
    auto p = h.tracked("__main__.Person", 56, 0, HasFinalizer);
    auto q = h.tracked("__main__.Person", 56, 0, HasFinalizer);
    h.attr(p, q, "friend");
    h.attr(q, p, "friend");
    HeapGraph g = h.build();

    auto r = cyclesOf(g);
    ASSERT_EQ(r.cycles.size(), 2u);
    const Cycle& nodes = r.cycles[0]; // the larger one comes first
    EXPECT_EQ(membersOf(r, nodes), (std::vector<ObjectId> { ring[0], ring[1], ring[2], ringDict }));
    EXPECT_EQ(nodes.totalSize, 3 * 48u + 104u);
    ASSERT_EQ(nodes.types.size(), 2u);
    EXPECT_EQ(g.typeNames[nodes.types[0].type], "__main__.Node");
    EXPECT_EQ(nodes.types[0].count, 3u);
    EXPECT_EQ(g.typeNames[nodes.types[1].type], "dict");
    EXPECT_EQ(nodes.types[1].count, 1u);
    EXPECT_FALSE(nodes.hasFinalizer);
    EXPECT_FALSE(nodes.unreachable);

    const Cycle& persons = r.cycles[1];
    EXPECT_EQ(membersOf(r, persons), (std::vector<ObjectId> { p, q }));
    EXPECT_EQ(persons.totalSize, 112u);
    EXPECT_TRUE(persons.hasFinalizer);
    EXPECT_TRUE(persons.unreachable);
    ASSERT_EQ(persons.types.size(), 1u);
    EXPECT_EQ(persons.types[0].count, 2u);
}

TEST(Cycles, GivenLeavesReferringToEachOther_WhenCyclesAreFound_ThenLeavesAreInNoComponent)
{
    HandHeap h;
    auto a = h.leaf("tuple", 48, 1);
    auto b = h.leaf("tuple", 48, 1);
    auto t = h.tracked("list", 56, 1);
    h.item(a, b, 0);
    h.item(b, a, 0);
    h.item(t, a, 0);
    HeapGraph g = h.build();
    auto r = cyclesOf(g);
    EXPECT_TRUE(r.cycles.empty());
    EXPECT_EQ(r.cycleOf(a), nullptr);
    EXPECT_EQ(r.cycleOf(b), nullptr);
    EXPECT_EQ(r.cycleOf(t), nullptr);
    EXPECT_EQ(r.componentCount, 1u); // t alone: leaves are in no component
}
