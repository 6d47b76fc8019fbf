// A least significant digit radix sort of 64-bit keys by some of their bits, 11 bits a pass: the
// snapshot builder's sort by address and the type summaries' sort by retained size. Stable: keys
// equal in the bits sorted on keep their order. Several times faster than a comparison sort on
// millions of keys, whose comparisons would each read memory far apart.
#pragma once

#include <cstdint>
#include <span>

namespace gcscope::analysis {

// Sorts keys by their bits [low, high), through `spare` (at least as long as keys).
void radixSort(std::span<std::uint64_t> keys, std::span<std::uint64_t> spare, int low, int high);

} // namespace gcscope::analysis
