// Per-type differences between snapshots.
#include "GraphSupport.h"

#include "analysis/Diff.h"

#include <gtest/gtest.h>

using namespace gcscope::analysis;
using gcscope::analysis::test::HandHeap;

TEST(Diff, GivenTwoSnapshots_WhenDiffed_ThenRowsCoverEveryTypeSortedByGrowth)
{
    HandHeap before;
    before.tracked("dict", 100, 1);
    before.tracked("dict", 100, 1);
    before.tracked("list", 56, 1);
    before.leaf("str", 50);
    HandHeap after;
    after.tracked("dict", 100, 1);
    for (int i = 0; i < 3; ++i)
        after.tracked("__main__.Node", 48, 1);
    after.leaf("str", 50);
    after.leaf("str", 70);

    auto rows = diffGraphs(before.build(), after.build());
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0], (TypeDiffRow { "__main__.Node", 0, 3, 3, 0, 144, 144 }));
    EXPECT_EQ(rows[1], (TypeDiffRow { "str", 1, 2, 1, 50, 120, 70 }));
    EXPECT_EQ(rows[2], (TypeDiffRow { "list", 1, 0, -1, 56, 0, -56 }));
    EXPECT_EQ(rows[3], (TypeDiffRow { "dict", 2, 1, -1, 200, 100, -100 }));
}

TEST(Diff, GivenNoEarlierSnapshot_WhenDiffed_ThenEverythingIsNew)
{
    TypeCensus to { { "dict", { 2, 464 } }, { "list", { 1, 56 } } };
    auto rows = diffCensus({}, to);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], (TypeDiffRow { "dict", 0, 2, 2, 0, 464, 464 }));
    EXPECT_EQ(rows[1], (TypeDiffRow { "list", 0, 1, 1, 0, 56, 56 }));
    EXPECT_TRUE(diffCensus({}, {}).empty());
}

TEST(Diff, GivenEqualSizeDeltas_WhenDiffed_ThenCountDeltaThenNameDecide)
{
    TypeCensus from { { "a", { 1, 10 } }, { "b", { 1, 10 } }, { "c", { 1, 10 } } };
    TypeCensus to { { "a", { 1, 10 } }, { "b", { 2, 10 } }, { "c", { 1, 10 } } };
    auto rows = diffCensus(from, to);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].type, "b");
    EXPECT_EQ(rows[1].type, "a");
    EXPECT_EQ(rows[2].type, "c");
}

TEST(Diff, GivenAGraph_WhenCensused_ThenLeavesAndTrackedObjectsAreCounted)
{
    HandHeap h;
    h.tracked("dict", 100, 1);
    h.leaf("str", 50);
    h.leaf("str", 60);
    auto census = censusOf(h.build());
    EXPECT_EQ(census.size(), 2u);
    EXPECT_EQ(census["str"], (TypeTotals { 2, 110 }));
    EXPECT_EQ(census["dict"], (TypeTotals { 1, 100 }));
}
