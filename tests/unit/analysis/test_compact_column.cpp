// Sizes and refcounts in 32 bits with a side table: every 64-bit value must come back exactly.
#include "analysis/CompactColumn.h"
#include "analysis/HeapGraphBuilder.h"

#include <gtest/gtest.h>

#include <limits>

using namespace gcscope::analysis;

TEST(CompactColumn, GivenValuesOnBothSidesOf32Bits_WhenStoredAndChanged_ThenEachReadsBackExactly)
{
    CompactColumn<std::int64_t> c;
    const std::int64_t values[] = { 0, 1, 0xfffffffe, 0xffffffff, 0x100000000, -1,
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), 3LL << 30 };
    for (auto v : values)
        c.push_back(v);
    ASSERT_EQ(c.size(), std::size(values));
    for (std::size_t i = 0; i < c.size(); ++i)
        EXPECT_EQ(std::as_const(c)[i], values[i]) << i;
    EXPECT_EQ(c.spilledCount(), 5u); // 0xffffffff (the marker), 2^32, -1, min, max

    // Back into 32 bits leaves the side table; out of them enters it; arithmetic crosses both ways.
    c[3] = 7;
    c[0] = -5;
    ++c[2]; // 0xfffffffe + 1 = the marker's value: spilled
    c[4] += -1; // 2^32 - 1: still spilled
    c[5] += 1; // -1 + 1 = 0: back inline
    EXPECT_EQ(std::as_const(c)[3], 7);
    EXPECT_EQ(std::as_const(c)[0], -5);
    EXPECT_EQ(std::as_const(c)[2], 0xffffffffLL);
    EXPECT_EQ(std::as_const(c)[4], 0xffffffffLL);
    EXPECT_EQ(std::as_const(c)[5], 0);
    EXPECT_EQ(c.spilledCount(), 5u); // 0 (-5), 2, 4, 6 and 7; 8 is inline: 3 << 30 fits
    EXPECT_EQ(std::as_const(c)[8], 3LL << 30);

    CompactColumn<std::int64_t> copy = c;
    EXPECT_TRUE(copy == c);
    copy[1] = 2;
    EXPECT_FALSE(copy == c);
}

TEST(CompactColumn, GivenAnObjectOver4GiBAndAnImmortalRefcount_WhenAGraphIsBuilt_ThenTheGraphKeepsBoth)
{
    HeapGraphBuilder b;
    const auto big = b.addObject({ 0x1000, "bytearray", 5ull << 30, 1, Tracked });
    const auto immortal = b.addObject({ 0x2000, "str", 60, 0xffffffffLL, Immortal });
    const auto plain = b.addObject({ 0x3000, "dict", 232, 3, Tracked });
    const HeapGraph g = b.build();
    EXPECT_EQ(g.size[big], 5ull << 30);
    EXPECT_EQ(g.refcount[immortal], 0xffffffffLL);
    EXPECT_EQ(g.size[plain], 232u);
    EXPECT_EQ(g.refcount[plain], 3);
    EXPECT_EQ(g.size.spilledCount(), 1u);
    EXPECT_EQ(g.refcount.spilledCount(), 1u);
}
