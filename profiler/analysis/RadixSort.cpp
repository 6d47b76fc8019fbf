#include "analysis/RadixSort.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace gcscope::analysis {

void radixSort(std::span<std::uint64_t> keys, std::span<std::uint64_t> spare, int low, int high)
{
    constexpr int kDigitBits = 11;
    constexpr std::size_t kBuckets = std::size_t { 1 } << kDigitBits;
    std::array<std::size_t, kBuckets> place {};
    std::span<std::uint64_t> from = keys, to = spare.first(keys.size());
    for (int shift = low; shift < high; shift += kDigitBits) {
        place.fill(0);
        for (const auto key : from)
            ++place[(key >> shift) & (kBuckets - 1)];
        std::size_t at = 0;
        for (auto& p : place)
            at += std::exchange(p, at);
        for (const auto key : from)
            to[place[(key >> shift) & (kBuckets - 1)]++] = key;
        std::swap(from, to);
    }
    if (from.data() != keys.data())
        std::copy(from.begin(), from.end(), keys.begin());
}

} // namespace gcscope::analysis
