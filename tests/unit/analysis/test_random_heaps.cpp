// Every algorithm against its definition on many small seeded random heaps.
#include "BruteForce.h"
#include "GraphSupport.h"

#include "analysis/HeapAnalysis.h"
#include "analysis/RetentionPaths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace gcscope::analysis;
using namespace gcscope::analysis::test;

namespace {
constexpr int kGraphs = 500;

// Varied shapes: sparse to dense, few to many leaves and roots.
HeapGraph heapNumber(int i)
{
    std::mt19937_64 rng(0x9c5c09e + static_cast<std::uint64_t>(i));
    RandomHeapOptions o;
    o.objects = 1 + static_cast<std::size_t>(rng() % 40);
    o.edgesPerObject = 0.5 + static_cast<double>(rng() % 30) / 10.0;
    o.leafShare = static_cast<double>(rng() % 4) / 10.0;
    o.heldShare = static_cast<double>(rng() % 3) / 10.0 + 0.02;
    return randomHeap(rng, o);
}

bool hasEdge(const HeapGraph& g, ObjectId from, ObjectId to, std::uint32_t label)
{
    auto targets = g.referents(from);
    auto labels = g.referentLabels(from);
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i] == to && labels[i] == label)
            return true;
    return false;
}

// The dominator tree of `g` against the removal definition (an object dominates what the roots no
// longer reach without it); counts the objects whose immediate dominator is an object.
void expectDominatorsByDefinition(const HeapGraph& g, std::size_t& nonTrivial)
{
    auto tree = computeDominators(g, findRoots(g));
    // 64-bit predecessor offsets (used past 2^32 references) give the same tree.
    const auto wide = computeDominators(g, findRoots(g), true);
    EXPECT_EQ(wide.idom, tree.idom);
    EXPECT_EQ(wide.retained, tree.retained);
    // The children lists are the tree: each reachable object once, under its idom, ascending.
    const auto children = buildDominatorChildren(tree);
    std::size_t listed = 0;
    for (ObjectId parent = 0; parent <= g.objectCount(); ++parent) {
        const ObjectId p = parent == g.objectCount() ? kVirtualRoot : parent;
        const auto list = children.of(p);
        EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
        for (ObjectId child : list)
            EXPECT_EQ(tree.idom[child], p) << child;
        listed += list.size();
    }
    EXPECT_EQ(listed, tree.reachableCount);
    auto dom = naiveDominance(g);
    const auto reached = reachedFromRoots(g, kNoObject);
    const auto n = g.objectCount();
    std::size_t reachedCount = 0;
    for (ObjectId v = 0; v < n; ++v) {
        reachedCount += reached[v];
        if (!reached[v]) {
            EXPECT_EQ(tree.idom[v], kNoObject) << v;
            EXPECT_EQ(tree.retained[v], g.size[v]) << v;
            continue;
        }
        // idom(v) is a strict dominator that every other strict dominator dominates.
        std::vector<ObjectId> strict;
        for (ObjectId d = 0; d < n; ++d)
            if (d != v && dom[d][v])
                strict.push_back(d);
        if (strict.empty()) {
            EXPECT_EQ(tree.idom[v], kVirtualRoot) << v;
        } else {
            ++nonTrivial;
            const ObjectId idom = tree.idom[v];
            EXPECT_NE(idom, kVirtualRoot) << v;
            EXPECT_NE(idom, kNoObject) << v;
            EXPECT_TRUE(dom[idom][v] && idom != v) << v;
            for (ObjectId d : strict)
                EXPECT_TRUE(dom[d][idom]) << "v=" << v << " d=" << d << " idom=" << idom;
        }
        std::uint64_t retained = 0;
        for (ObjectId u = 0; u < n; ++u)
            if (dom[v][u])
                retained += g.size[u];
        EXPECT_EQ(tree.retained[v], retained) << v;
    }
    EXPECT_EQ(tree.reachableCount, reachedCount);
}
} // namespace

TEST(RandomHeaps, GivenRandomHeaps_WhenRootsAndUnreachableAreFound_ThenTheyMatchTheRuleAndANaiveFixpoint)
{
    std::size_t garbageSeen = 0;
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        HeapGraph g = heapNumber(i);
        RootSet roots = findRoots(g);
        auto refcountRoots = naiveRoots(g, true);
        auto allRoots = naiveRoots(g, false);
        for (ObjectId v = 0; v < g.objectCount(); ++v) {
            ASSERT_EQ(roots.isRefcountRoot(v), refcountRoots[v]) << v;
            ASSERT_EQ(roots.isRoot(v), allRoots[v]) << v;
        }
        auto u = findUnreachable(g, roots);
        auto expected = naiveUnreachable(g);
        std::size_t count = 0;
        for (ObjectId v = 0; v < g.objectCount(); ++v) {
            ASSERT_EQ(u.contains(v), expected[v]) << v;
            count += expected[v];
        }
        ASSERT_EQ(u.count(), count);
        garbageSeen += count;
    }
    EXPECT_GT(garbageSeen, 100u); // the generator does produce garbage
}

TEST(RandomHeaps, GivenRandomHeaps_WhenComponentsAreFound_ThenMembersAreExactlyTheMutuallyReachableTrackedObjects)
{
    std::size_t cyclesSeen = 0;
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        HeapGraph g = heapNumber(i);
        auto reach = reachability(g, true);
        const auto scc = findStronglyConnectedComponents(g);
        auto cycles = findCycles(g, scc, findUnreachable(g, findRoots(g)));
        ASSERT_EQ(cycles.componentCount, scc.componentCount());
        std::size_t inComponents = 0;
        for (std::uint32_t c = 0; c < scc.componentCount(); ++c)
            inComponents += scc.component(c).size();
        std::size_t tracked = 0;
        for (ObjectId a = 0; a < g.objectCount(); ++a) {
            tracked += g.isTracked(a);
            ASSERT_EQ(scc.componentOf[a] == kNoComponent, !g.isTracked(a));
            for (ObjectId b = 0; b < g.objectCount(); ++b) {
                if (!g.isTracked(a) || !g.isTracked(b))
                    continue;
                ASSERT_EQ(scc.componentOf[a] == scc.componentOf[b], reach[a][b] && reach[b][a]) << a << " " << b;
            }
            // Reverse topological numbering: references never go to a higher component.
            for (ObjectId b : g.referents(a)) {
                if (g.isTracked(a) && g.isTracked(b)) {
                    ASSERT_GE(scc.componentOf[a], scc.componentOf[b]);
                }
            }
        }
        ASSERT_EQ(inComponents, tracked);

        // Each cycle is one whole component, and every object's cycle is the one listing it.
        std::set<std::uint32_t> cyclic;
        for (const auto& cycle : cycles.cycles) {
            const auto members = cycles.members(cycle);
            ASSERT_FALSE(members.empty());
            const auto c = scc.componentOf[members[0]];
            ASSERT_TRUE(cyclic.insert(c).second);
            ASSERT_TRUE(std::equal(members.begin(), members.end(), scc.component(c).begin(), scc.component(c).end()));
            for (ObjectId m : members)
                ASSERT_EQ(cycles.cycleOf(m), &cycle);
        }
        for (std::uint32_t c = 0; c < scc.componentCount(); ++c) {
            auto m = scc.component(c);
            bool selfLoop = false;
            for (ObjectId b : g.referents(m[0]))
                selfLoop = selfLoop || b == m[0];
            ASSERT_EQ(cyclic.count(c) == 1, m.size() > 1 || selfLoop);
            if (cyclic.count(c) == 0) {
                ASSERT_EQ(cycles.cycleOf(m[0]), nullptr);
            }
        }
        cyclesSeen += cycles.cycles.size();
    }
    EXPECT_GT(cyclesSeen, 100u);
}

TEST(RandomHeaps, GivenRandomHeaps_WhenDominatorsAreComputed_ThenTheyMatchTheRemovalDefinition)
{
    std::size_t nonTrivial = 0;
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        ASSERT_NO_FATAL_FAILURE(expectDominatorsByDefinition(heapNumber(i), nonTrivial));
        if (HasFailure())
            return;
    }
    EXPECT_GT(nonTrivial, 500u);
}

// Objects without references and with few referrers get their dominator from their referrers,
// outside the search; those with more stay in it. Both kinds, often in one heap, against the rule.
TEST(RandomHeaps, GivenHeapsWithObjectsWithoutReferences_WhenDominatorsAreComputed_ThenTheyMatchTheRemovalDefinition)
{
    std::size_t nonTrivial = 0;
    std::size_t fewReferrersUnderAnObject = 0; // 2 to 4 referrers, dominated by an object
    std::size_t manyReferrersUnderAnObject = 0; // 5 or more
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        std::mt19937_64 rng(0x51a4c + static_cast<std::uint64_t>(i));
        RandomHeapOptions o;
        o.objects = 2 + static_cast<std::size_t>(rng() % 30);
        o.edgesPerObject = 0.8 + static_cast<double>(rng() % 20) / 10.0;
        o.leafShare = static_cast<double>(rng() % 4) / 10.0;
        o.sinks = 1 + static_cast<std::size_t>(rng() % 30);
        o.mostSinkReferrers = 1 + static_cast<std::size_t>(rng() % 9);
        const HeapGraph g = randomHeap(rng, o);
        ASSERT_NO_FATAL_FAILURE(expectDominatorsByDefinition(g, nonTrivial));
        if (HasFailure())
            return;
        const auto tree = computeDominators(g, findRoots(g));
        std::vector<std::size_t> referrers(g.objectCount(), 0);
        for (ObjectId w : g.edgeTarget)
            ++referrers[w];
        for (auto s = static_cast<ObjectId>(o.objects); s < g.objectCount(); ++s) {
            if (tree.idom[s] == kNoObject || tree.idom[s] == kVirtualRoot || referrers[s] < 2)
                continue;
            ++(referrers[s] <= 4 ? fewReferrersUnderAnObject : manyReferrersUnderAnObject);
        }
    }
    EXPECT_GT(nonTrivial, 1000u);
    EXPECT_GT(fewReferrersUnderAnObject, 200u);
    EXPECT_GT(manyReferrersUnderAnObject, 50u);
}

TEST(RandomHeaps, GivenRandomHeaps_WhenRetentionPathsAreFound_ThenTheyAreRealAndShortest)
{
    std::size_t multiPath = 0;
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        HeapGraph g = heapNumber(i);
        RootSet roots = findRoots(g);
        Referrers referrers = buildReferrers(g);
        RetentionPathFinder finder(g, roots, referrers);
        const auto best = distanceFromAnyRoot(g);
        for (ObjectId t = 0; t < g.objectCount(); ++t) {
            auto result = finder.find(t, 3);
            ASSERT_EQ(result.reachable, best[t] != kNoDistance) << t;
            ASSERT_EQ(finder.distance(t), best[t]) << t;
            if (!result.reachable) {
                ASSERT_TRUE(result.paths.empty());
                continue;
            }
            ASSERT_GE(result.paths.size(), 1u);
            ASSERT_LE(result.paths.size(), 3u);
            ASSERT_EQ(result.paths[0].length(), best[t]) << t;
            multiPath += result.paths.size() > 1;
            std::set<ObjectId> lastHolders;
            for (std::size_t p = 0; p < result.paths.size(); ++p) {
                const auto& steps = result.paths[p].steps;
                ASSERT_TRUE(roots.isRoot(steps.front().object));
                ASSERT_EQ(steps.back().object, t);
                ASSERT_EQ(steps.back().edgeLabel, kNoEdgeLabel);
                for (std::size_t s = 0; s + 1 < steps.size(); ++s) {
                    ASSERT_TRUE(hasEdge(g, steps[s].object, steps[s + 1].object, steps[s].edgeLabel));
                    ASSERT_NE(steps[s].object, t); // no loop through the target
                }
                // Each path is shortest through its holder, and holders differ.
                if (steps.size() >= 2) {
                    const ObjectId holder = steps[steps.size() - 2].object;
                    ASSERT_TRUE(lastHolders.insert(holder).second);
                    ASSERT_EQ(result.paths[p].length(), best[holder] + 1);
                }
                if (p > 0) {
                    ASSERT_GE(result.paths[p].length(), result.paths[p - 1].length());
                }
            }
        }
    }
    EXPECT_GT(multiPath, 100u);
}

TEST(RandomHeaps, GivenRandomHeaps_WhenReferrersAreListed_ThenEachReferenceComesOnceWithItsOwnLabel)
{
    for (int i = 0; i < kGraphs; ++i) {
        SCOPED_TRACE(i);
        HeapGraph g = heapNumber(i);
        // Every reference, grouped by target: sources ascending, a source's references in its order.
        std::vector<std::vector<Reference>> expected(g.objectCount());
        for (ObjectId from = 0; from < g.objectCount(); ++from) {
            const auto targets = g.referents(from);
            const auto labels = g.referentLabels(from);
            for (std::size_t e = 0; e < targets.size(); ++e)
                expected[targets[e]].push_back({ from, labels[e] });
        }
        const Referrers referrers = buildReferrers(g);
        const Referrers wide = buildReferrers(g, true); // as past 2^32 references
        ASSERT_TRUE(referrers.begin64.empty());
        ASSERT_TRUE(wide.begin32.empty());
        for (const Referrers* r : { &referrers, &wide }) {
            ASSERT_EQ(r->objectCount(), g.objectCount());
            ASSERT_EQ(r->beginOf(g.objectCount()), g.edgeCount());
            for (ObjectId t = 0; t < g.objectCount(); ++t)
                ASSERT_EQ(referrersOf(g, *r, t), expected[t]) << t;
        }
    }
}
