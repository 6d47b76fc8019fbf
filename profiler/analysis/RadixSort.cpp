#include "analysis/RadixSort.h"

namespace gcscope::analysis {

void radixSort(std::span<std::uint64_t> keys, std::span<std::uint64_t> spare, int low, int high)
{
    detail::sortByBitsThroughSpare(
        keys, spare, [](std::uint64_t key) { return key; }, low, high);
}

} // namespace gcscope::analysis
