// The snapshot child's set of leaf addresses (address_bits.h): each address is added once, however
// often it is met, and the members come back in ascending order, across blocks made in any order.
#include "address_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace gcscope::agent {
namespace {

TEST(AddressBits, GivenAddressesMetManyTimesThenEachIsAddedOnceAndVisitedInAscendingOrder)
{
    // Heaps far apart (as the arenas of an allocator and a binary's data are), the first and last
    // 8 bytes of a 1 MiB block, and neighbours 8 bytes apart.
    const std::vector<std::uintptr_t> bases { 0x7f3a'1230'0000, 0x5555'5555'0000 & ~std::uintptr_t { 0xfffff },
        0x0000'0000'0040'0000, 0x7f3a'1240'0000 };
    std::mt19937_64 random(14);
    std::vector<std::uintptr_t> met;
    for (const std::uintptr_t base : bases) {
        met.push_back(base);
        met.push_back(base + (1u << 20) - 8);
        met.push_back(base + 8);
        met.push_back(base + 16);
        for (int i = 0; i < 5000; ++i)
            met.push_back(base + (random() % (1u << 17)) * 8);
    }
    std::shuffle(met.begin(), met.end(), random);
    met.insert(met.end(), met.begin(), met.begin() + 3000); // met again

    AddressBits bits;
    std::set<std::uintptr_t> expected;
    for (const std::uintptr_t a : met) {
        bool added = false;
        ASSERT_TRUE(bits.add(a, added));
        EXPECT_EQ(added, expected.insert(a).second) << std::hex << a;
    }
    EXPECT_EQ(bits.size(), expected.size());

    std::vector<std::uintptr_t> visited;
    std::set<std::uintptr_t> prefetched;
    ASSERT_TRUE(bits.forEach(
        [&](std::uintptr_t a) {
            EXPECT_TRUE(prefetched.count(a)) << "visited before it was given to prefetch";
            visited.push_back(a);
            return true;
        },
        [&](std::uintptr_t a) { prefetched.insert(a); }));
    EXPECT_EQ(visited, std::vector<std::uintptr_t>(expected.begin(), expected.end()));
}

TEST(AddressBits, GivenAVisitThatFailsThenTheWalkStopsThereAndSaysSo)
{
    AddressBits bits;
    bool added = false;
    for (std::uintptr_t a = 0x10'0000; a < 0x10'0000 + 800; a += 8)
        ASSERT_TRUE(bits.add(a, added));
    int calls = 0;
    EXPECT_FALSE(bits.forEach([&](std::uintptr_t) { return ++calls < 70; }, [](std::uintptr_t) {}));
    EXPECT_EQ(calls, 70);
}

} // namespace
} // namespace gcscope::agent
