// A set of object addresses, one bit for every 8 bytes of address space, for the snapshot child's
// immutable leaves (held_leaves.h): adding an address says whether it was new, and the members are
// visited in address order without a sort.
//
// The bits come in blocks, one for each 1 MiB of address space that holds a member (16 KiB each),
// found by the block's base address in an AddressTable. A heap's objects live in its allocator's
// arenas, so the blocks cover about the heap: a 64th of its size (42 MiB for a 2.7 GiB heap), where a
// list of the 15M leaf addresses noted at 10M objects and its sort took 240 MiB.
#pragma once

#include "address_table.h"
#include "mapped_buffer.h"

#include <cstdint>

namespace gcscope::agent {

class AddressBits {
public:
    // Adds `address` (8-byte aligned, not 0). `added` says whether it was not there yet. False when
    // memory ran out.
    bool add(std::uintptr_t address, bool& added)
    {
        const std::uintptr_t base = address & ~kRegionMask;
        std::uint64_t* bits;
        if (base == lastBase_ && lastBits_) {
            bits = lastBits_;
        } else {
            bits = blockFor(base);
            if (!bits)
                return false;
        }
        const std::uintptr_t bit = (address & kRegionMask) >> kAlignBits;
        std::uint64_t& word = bits[bit / 64];
        const std::uint64_t mask = std::uint64_t { 1 } << (bit % 64);
        added = (word & mask) == 0;
        word |= mask;
        count_ += added;
        return true;
    }
    std::size_t size() const { return count_; }

    // Calls visit(address) for each member in ascending order, a word's members (up to 64) at a time
    // given first to prefetch(address). False when visit() returned false, or when memory ran out
    // (for the order of the blocks).
    template <typename Visit, typename Prefetch> bool forEach(Visit&& visit, Prefetch&& prefetch);

private:
    static constexpr unsigned kRegionBits = 20; // 1 MiB of address space a block
    static constexpr unsigned kAlignBits = 3; // objects are at least 8-byte aligned
    static constexpr std::uintptr_t kRegionMask = (std::uintptr_t { 1 } << kRegionBits) - 1;
    static constexpr std::size_t kWordsPerBlock = (std::size_t { 1 } << (kRegionBits - kAlignBits)) / 64;

    std::uint64_t* blockFor(std::uintptr_t base);
    bool sortedBlocks(MappedArray<std::uint32_t>& order) const;

    AddressTable blocks_; // base + 1 (never 0) -> block index
    MappedArray<std::uintptr_t> bases_; // each block's base, in the order the blocks were made
    MappedArray<std::uint64_t> bits_; // kWordsPerBlock words a block
    std::uintptr_t lastBase_ = 0;
    std::uint64_t* lastBits_ = nullptr; // bits_ may move as it grows: reset then
    std::size_t count_ = 0;
};

template <typename Visit, typename Prefetch> bool AddressBits::forEach(Visit&& visit, Prefetch&& prefetch)
{
    MappedArray<std::uint32_t> order;
    if (!sortedBlocks(order))
        return false;
    std::uintptr_t batch[64];
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::uint32_t block = order[i];
        const std::uintptr_t base = bases_[block];
        const std::uint64_t* words = &bits_[static_cast<std::size_t>(block) * kWordsPerBlock];
        for (std::size_t w = 0; w < kWordsPerBlock; ++w) {
            std::uint64_t word = words[w];
            int n = 0;
            while (word != 0) {
                const unsigned bit = static_cast<unsigned>(__builtin_ctzll(word));
                word &= word - 1;
                batch[n] = base + ((w * 64 + bit) << kAlignBits);
                prefetch(batch[n++]);
            }
            for (int k = 0; k < n; ++k)
                if (!visit(batch[k]))
                    return false;
        }
    }
    return true;
}

} // namespace gcscope::agent
