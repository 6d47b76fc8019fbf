// The in-place radix sort against std::sort, on records of the size it is for (16 bytes: an
// earlier snapshot's objects by address), at sizes around its comparison-sort cutoff (64), around
// what it sorts through its spare alone (2 MiB: 131,072 such records) and far above, with keys
// spread over few bits, many bits, the top bit, and keys that repeat.
#include "analysis/RadixSort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <tuple>
#include <vector>

using namespace gcscope::analysis;

namespace {

struct Record {
    std::uint64_t key;
    std::uint32_t a;
    std::uint32_t b;
    bool operator==(const Record&) const = default;
};

bool byAll(const Record& x, const Record& y)
{
    return std::tie(x.key, x.a, x.b) < std::tie(y.key, y.a, y.b);
}

// n records whose keys are base + a random value below `range`, times `stride`; a and b tell
// records with equal keys apart.
std::vector<Record> records(
    std::size_t n, std::uint64_t base, std::uint64_t range, std::uint64_t stride, std::uint32_t seed)
{
    std::mt19937_64 random(seed);
    std::vector<Record> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = { base + (random() % range) * stride, static_cast<std::uint32_t>(i),
            static_cast<std::uint32_t>(random()) };
    return out;
}

// Sorted in place: keys in order, and the same records as before (nothing lost, doubled or torn).
void expectSorted(std::vector<Record> items)
{
    std::vector<Record> expected = items;
    std::sort(expected.begin(), expected.end(), byAll);
    sortInPlaceByKey(std::span(items), [](const Record& r) { return r.key; });
    ASSERT_TRUE(
        std::is_sorted(items.begin(), items.end(), [](const Record& x, const Record& y) { return x.key < y.key; }));
    // Equal keys in no set order: compare as sets of records.
    std::sort(items.begin(), items.end(), byAll);
    EXPECT_EQ(items, expected);
}

} // namespace

TEST(SortInPlaceByKey, GivenRecordsOfEverySizeAroundItsCutoff_WhenSorted_ThenTheyAreInKeyOrderAndNoneIsLost)
{
    for (const std::size_t n : { 0u, 1u, 2u, 63u, 64u, 65u, 100u, 1000u, 4097u, 131071u, 131072u, 131073u, 300000u })
        expectSorted(records(n, 0x7f0000000000, 1u << 20, 16, static_cast<std::uint32_t>(n)));
}

TEST(SortInPlaceByKey, GivenAMillionHeapLikeAddressesInTwoRegions_WhenSorted_ThenTheyAreInKeyOrderAndNoneIsLost)
{
    // CPython's heap: small objects in one region, big blocks in another, 16-byte aligned.
    auto items = records(600000, 0x55d0c0000000, std::uint64_t { 1 } << 26, 16, 1);
    const auto high = records(400000, 0x7f3a00000000, std::uint64_t { 1 } << 30, 16, 2);
    items.insert(items.end(), high.begin(), high.end());
    std::shuffle(items.begin(), items.end(), std::mt19937_64(3));
    expectSorted(std::move(items));
}

TEST(SortInPlaceByKey, GivenKeysThatRepeatOrAllMatchOrUseTheTopBit_WhenSorted_ThenTheyAreInKeyOrderAndNoneIsLost)
{
    // Each both through the spare alone and in place first.
    for (const std::size_t n : { 50000u, 400000u }) {
        expectSorted(records(n, 1000, 7, 1, 4)); // seven keys, thousands of each
        expectSorted(records(n, 42, 1, 1, 5)); // one key
        expectSorted(records(n, 0, ~std::uint64_t { 0 }, 1, 6)); // all 64 bits
        expectSorted(records(n, 0, 3, std::uint64_t { 1 } << 62, 7)); // 0, 2^62, 2^63
    }
    std::vector<Record> descending(300000);
    for (std::uint32_t i = 0; i < descending.size(); ++i)
        descending[i] = { std::uint64_t { 300000 } - i, i, 0 };
    expectSorted(std::move(descending));
}
