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

// A component of millions of members (a heap's web of instances) is put in id order by a bitmap,
// a small one by sorting: two big rings whose ids interleave, walked in a scrambled order, and
// small rings beside them, must each list exactly their members, in id order, in either way.
TEST(Cycles, GivenBigAndSmallRingsWithInterleavedIds_WhenComponentsAreFound_ThenEachListsItsMembersInIdOrder)
{
    HandHeap h;
    constexpr ObjectId kBig = 30000; // members per big ring: over 4096 and over 1/64 of the objects
    std::vector<ObjectId> even, odd, small;
    for (ObjectId i = 0; i < 2 * kBig; ++i)
        (i % 2 ? odd : even).push_back(h.tracked("node", 32));
    for (ObjectId i = 0; i < 300; ++i)
        small.push_back(h.tracked("pair", 32));
    // Each big ring visits its members in a scrambled order, so that Tarjan's stack holds them so.
    const auto ring = [&](const std::vector<ObjectId>& members) {
        const std::size_t step = 7919; // prime to kBig: every member once
        for (std::size_t k = 0; k < members.size(); ++k)
            h.item(members[k * step % members.size()], members[(k + 1) * step % members.size()], 0);
    };
    ring(even);
    ring(odd);
    for (std::size_t k = 0; k + 2 < small.size(); k += 3) { // rings of three, backwards
        h.item(small[k + 2], small[k + 1], 0);
        h.item(small[k + 1], small[k], 0);
        h.item(small[k], small[k + 2], 0);
    }
    const HeapGraph g = h.build();
    const auto scc = findStronglyConnectedComponents(g);
    ASSERT_EQ(scc.componentCount(), 2u + small.size() / 3);
    const auto members = [&](ObjectId of) {
        const auto m = scc.component(scc.componentOf[of]);
        return std::vector<ObjectId>(m.begin(), m.end());
    };
    EXPECT_EQ(members(even[0]), even);
    EXPECT_EQ(members(odd[5]), odd);
    for (std::size_t k = 0; k + 2 < small.size(); k += 3)
        EXPECT_EQ(members(small[k + 1]), (std::vector<ObjectId> { small[k], small[k + 1], small[k + 2] }));
}
