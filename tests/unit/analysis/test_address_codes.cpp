// Address codes (analysis/AddressCodes.h): 32 bits for an 8-byte aligned address, by its 64 KiB
// region's number and its place there; none for an address they cannot hold.
#include "analysis/AddressCodes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using gcscope::analysis::AddressCodes;

namespace {
constexpr std::uint64_t kRegion = 64 * 1024;
} // namespace

// Addresses of a real heap's kinds: a few dense arenas, a malloc heap far below them, mapped
// regions near the top of a 47-bit space, the first and last 8-byte steps of a region and of the
// whole 48-bit space. Each code gives its address back, codes of different addresses differ, and
// asking again (by code or by find) gives the same code.
TEST(AddressCodes, GivenAddressesAcrossRegionsAndSpans_WhenCoded_ThenEachCodeGivesItsAddressBack)
{
    std::mt19937_64 random(5);
    std::vector<std::uint64_t> addresses { 0, 8, kRegion - 8, kRegion, (std::uint64_t { 1 } << 48) - 8,
        (std::uint64_t { 1 } << 32) - 8, std::uint64_t { 1 } << 32 };
    for (const std::uint64_t base : { 0x55d0c0000000ull, 0x7f3a10000000ull, 0x7ffd00000000ull, 0x1000000ull })
        for (int i = 0; i < 20000; ++i)
            addresses.push_back(base + 8 * (random() % (std::uint64_t { 1 } << 26)));
    AddressCodes codes;
    std::unordered_map<std::uint64_t, std::uint32_t> codeOf;
    std::unordered_set<std::uint32_t> seen;
    for (const std::uint64_t a : addresses) {
        const std::uint32_t c = codes.code(a);
        ASSERT_NE(c, AddressCodes::kNoCode) << std::hex << a;
        EXPECT_EQ(codes.address(c), a) << std::hex << a;
        const auto [it, added] = codeOf.emplace(a, c);
        if (added)
            EXPECT_TRUE(seen.insert(c).second) << "two addresses, one code: " << std::hex << a;
        else
            EXPECT_EQ(it->second, c);
    }
    for (const auto& [a, c] : codeOf) {
        EXPECT_EQ(codes.code(a), c);
        EXPECT_EQ(codes.find(a), c);
    }
    // A region no address was coded in has no codes to find, in a known span or not.
    EXPECT_EQ(codes.find(0x55d0c0000000ull - kRegion), AddressCodes::kNoCode);
    EXPECT_EQ(codes.find(0x200000000000ull), AddressCodes::kNoCode);
    // Another address of a known region is found without numbering anything.
    const auto regions = codes.regions();
    const std::uint64_t neighbour = (addresses.back() & ~(kRegion - 1)) + 8;
    EXPECT_NE(codes.find(neighbour), AddressCodes::kNoCode);
    EXPECT_EQ(codes.address(codes.find(neighbour)), neighbour);
    EXPECT_EQ(codes.regions(), regions);
}

// No code for an address not 8-byte aligned or at or above 2^48: neither made nor found.
TEST(AddressCodes, GivenAnAddressNotAlignedOrTooHigh_WhenCoded_ThenItHasNone)
{
    AddressCodes codes;
    ASSERT_NE(codes.code(0x7f0000001000ull), AddressCodes::kNoCode);
    for (const std::uint64_t a : std::vector<std::uint64_t> { 0x7f0000001004ull, 0x7f0000001001ull,
             std::uint64_t { 1 } << 48, 0xffff800000001000ull, ~std::uint64_t { 0 } }) {
        EXPECT_EQ(codes.code(a), AddressCodes::kNoCode) << std::hex << a;
        EXPECT_EQ(codes.find(a), AddressCodes::kNoCode) << std::hex << a;
    }
    EXPECT_EQ(codes.regions(), 1u);
}

// 2^19 - 1 regions fill the codes: a new region after them has none, the known ones keep theirs,
// and no code is kNoCode itself (the last region's last place).
TEST(AddressCodes, GivenEveryRegionNumbered_WhenAnotherRegionIsMet_ThenOnlyItHasNoCode)
{
    AddressCodes codes;
    constexpr std::uint64_t kRegions = (std::uint64_t { 1 } << 19) - 1;
    for (std::uint64_t r = 0; r < kRegions; ++r)
        ASSERT_NE(codes.code(r * kRegion), AddressCodes::kNoCode) << r;
    const std::uint64_t lastPlace = (kRegions - 1) * kRegion + kRegion - 8;
    EXPECT_NE(codes.code(lastPlace), AddressCodes::kNoCode);
    EXPECT_EQ(codes.address(codes.code(lastPlace)), lastPlace);
    EXPECT_EQ(codes.code(kRegions * kRegion), AddressCodes::kNoCode);
    EXPECT_EQ(codes.find(kRegions * kRegion), AddressCodes::kNoCode);
    EXPECT_EQ(codes.address(codes.code(12345 * kRegion + 64)), 12345 * kRegion + 64);
    EXPECT_EQ(codes.regions(), kRegions);
}
