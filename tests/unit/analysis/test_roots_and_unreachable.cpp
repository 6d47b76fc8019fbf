// The root rule and the unreachable set on hand-made heaps shaped like real Python ones.
#include "GraphSupport.h"

#include "analysis/Roots.h"
#include "analysis/Unreachable.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

TEST(Roots, GivenAnObjectWithAReferenceFromOutsideTheGraph_WhenRootsAreFound_ThenItIsARefcountRoot)
{
    HandHeap h;
    auto alone = h.tracked("object", 16, 1); // a C global holds it
    auto list = h.tracked("list", 72, 1);
    auto shared = h.tracked("dict", 100, 1); // held by the list and from outside
    auto inner = h.tracked("dict", 100, 0); // held by the list only
    h.item(list, shared, 0);
    h.item(list, inner, 1);
    HeapGraph g = h.build();
    RootSet r = findRoots(g);

    EXPECT_TRUE(r.isRefcountRoot(alone));
    EXPECT_TRUE(r.isRefcountRoot(list));
    EXPECT_TRUE(r.isRefcountRoot(shared));
    EXPECT_FALSE(r.isRoot(inner));
    EXPECT_EQ(externalReferences(g, buildReferrers(g), shared), 1);
    EXPECT_EQ(internalReferences(g, buildReferrers(g), shared), 1u);
    EXPECT_EQ(externalReferences(g, buildReferrers(g), inner), 0);
    EXPECT_EQ(r.roots, (std::vector<ObjectId> { alone, list, shared }));
}

TEST(Roots, GivenLeavesWithManyReferences_WhenRootsAreFound_ThenNoLeafIsARefcountRoot)
{
    HandHeap h;
    auto list = h.tracked("list", 72, 1);
    auto interned = h.leaf("str", 60, 1000); // held all over the interpreter
    h.item(list, interned, 0);
    HeapGraph g = h.build();
    RootSet r = findRoots(g);
    EXPECT_FALSE(r.isRoot(interned));
    EXPECT_TRUE(r.isRoot(list));
}

TEST(Roots, GivenAReferenceFromAnUntrackedContainer_WhenRootsAreFound_ThenItCountsAsFromOutside)
{
    // An untracked tuple is not traversed by the collector, so what it holds looks held from outside.
    HandHeap h;
    auto tuple = h.leaf("tuple", 48, 1);
    auto dict = h.tracked("dict", 100, 0);
    h.item(tuple, dict, 0);
    HeapGraph g = h.build();
    g.refcount[dict] = 1; // the tuple's reference
    RootSet r = findRoots(g);
    EXPECT_EQ(internalReferences(g, buildReferrers(g), dict), 0u);
    EXPECT_TRUE(r.isRefcountRoot(dict));
}

TEST(Roots, GivenARefcountBelowTheInternalCount_WhenRootsAreFound_ThenTheInconsistentObjectIsNoRoot)
{
    HandHeap h;
    auto a = h.tracked("list", 72, 1);
    auto b = h.tracked("list", 72, 0);
    h.item(a, b, 0);
    h.item(a, b, 1);
    HeapGraph g = h.build();
    g.refcount[b] = 1; // two references counted, one reported
    RootSet r = findRoots(g);
    EXPECT_FALSE(r.isRoot(b));
    EXPECT_EQ(externalReferences(g, buildReferrers(g), b), -1);
}

TEST(Roots, GivenAnImmortalRefcount_WhenRootsAreFound_ThenItIsARoot)
{
    HandHeap h;
    auto none = h.tracked("dict", 100, 0);
    HeapGraph g = h.build();
    g.refcount[none] = 0x3fffffff'ffffffff;
    EXPECT_TRUE(findRoots(g).isRefcountRoot(none));
}

TEST(Unreachable, GivenAListThatContainsItselfAndNothingElseHoldsIt_WhenAnalysed_ThenItIsGarbage)
{
    HandHeap h;
    auto list = h.tracked("list", 64, 0);
    h.item(list, list, 0);
    HeapGraph g = h.build();
    EXPECT_EQ(g.refcount[list], 1);
    auto u = findUnreachable(g, findRoots(g));
    EXPECT_EQ(u.count(), 1u);
    EXPECT_TRUE(u.contains(list));
    EXPECT_EQ(u.totalSize, 64u);
}

TEST(Unreachable, GivenASelfReferencingListAVariableHolds_WhenAnalysed_ThenNothingIsGarbage)
{
    HandHeap h;
    auto list = h.tracked("list", 64, 1);
    h.item(list, list, 0);
    HeapGraph g = h.build();
    EXPECT_EQ(findUnreachable(g, findRoots(g)).count(), 0u);
}

TEST(Unreachable, GivenTwoDictsPointingAtEachOtherAndARingOfNodes_WhenAnalysed_ThenOnlyTheCyclesAreGarbage)
{
    HandHeap h;
    auto modules = h.tracked("dict", 1200, 1, ExplicitRoot); // sys.modules
    auto mainDict = h.tracked("dict", 600, 0);
    auto nodeType = h.tracked("type", 1000, 0);
    h.attr(modules, mainDict, "__main__");
    h.attr(mainDict, nodeType, "Node");
    auto d1 = h.tracked("dict", 232, 0);
    auto d2 = h.tracked("dict", 232, 0);
    h.attr(d1, d2, "other");
    h.attr(d2, d1, "other");
    std::vector<ObjectId> ring;
    for (int i = 0; i < 4; ++i)
        ring.push_back(h.tracked("__main__.Node", 48, 0));
    for (int i = 0; i < 4; ++i) {
        h.attr(ring[i], ring[(i + 1) % 4], "next");
        h.ref(ring[i], nodeType); // instances of heap types refer to their class
    }
    HeapGraph g = h.build();
    auto u = findUnreachable(g, findRoots(g));
    std::vector<ObjectId> expected { d1, d2 };
    expected.insert(expected.end(), ring.begin(), ring.end());
    EXPECT_EQ(u.objects, expected);
    EXPECT_EQ(u.totalSize, 2 * 232u + 4 * 48u);
    EXPECT_FALSE(u.contains(nodeType));
    EXPECT_TRUE(u.withFinalizers.empty());
}

TEST(Unreachable, GivenTwoPersonsWithDelPointingAtEachOther_WhenAnalysed_ThenBothAreGarbageWithFinalizers)
{
    HandHeap h;
    auto p = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    auto q = h.tracked("__main__.Person", 48, 0, HasFinalizer);
    auto name = h.leaf("str", 50, 3);
    h.attr(p, q, "friend");
    h.attr(q, p, "friend");
    h.attr(p, name, "name");
    HeapGraph g = h.build();
    auto u = findUnreachable(g, findRoots(g));
    EXPECT_EQ(u.objects, (std::vector<ObjectId> { p, q }));
    EXPECT_EQ(u.withFinalizers, (std::vector<ObjectId> { p, q }));
    EXPECT_FALSE(u.contains(name)); // leaves are freed by refcount, not counted by gc.collect()
}

TEST(Unreachable, GivenAnExplicitRootNothingHoldsByRefcount_WhenAnalysed_ThenTheCollectorWouldStillFreeIt)
{
    // ExplicitRoot is our knowledge, not the collector's: only refcounts protect from gc.collect().
    HandHeap h;
    auto frame = h.tracked("frame", 400, 0, ExplicitRoot);
    auto local = h.tracked("list", 56, 0);
    h.attr(frame, local, "x");
    h.attr(local, frame, "f");
    HeapGraph g = h.build();
    RootSet r = findRoots(g);
    EXPECT_TRUE(r.isFlaggedRoot(frame));
    EXPECT_FALSE(r.isRefcountRoot(frame));
    EXPECT_EQ(findUnreachable(g, r).objects, (std::vector<ObjectId> { frame, local }));
}

TEST(Unreachable, GivenGarbageReachableOnlyThroughALeaf_WhenAnalysed_ThenTheLeafsReferenceMakesARoot)
{
    // A tracked dict inside an untracked tuple: the collector sees the tuple's reference as external.
    HandHeap h;
    auto tuple = h.leaf("tuple", 48, 1);
    auto dict = h.tracked("dict", 100, 0);
    auto list = h.tracked("list", 56, 0);
    h.item(tuple, dict, 0);
    h.attr(dict, list, "l");
    HeapGraph g = h.build();
    g.refcount[dict] = 1;
    EXPECT_EQ(findUnreachable(g, findRoots(g)).count(), 0u);
}
