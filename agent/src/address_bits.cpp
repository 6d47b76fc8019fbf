#include "address_bits.h"

#include <algorithm>
#include <cstring>

namespace gcscope::agent {

std::uint64_t* AddressBits::blockFor(std::uintptr_t base)
{
    const std::uintptr_t key = base + 1;
    std::uint32_t block;
    if (const std::uint32_t* found = blocks_.find(key)) {
        block = *found;
    } else {
        block = static_cast<std::uint32_t>(bases_.size());
        bool inserted = false;
        std::uint64_t* bits = bits_.extend(kWordsPerBlock);
        if (!bits || !bases_.push_back(base) || !blocks_.insert(key, block, inserted))
            return nullptr;
        std::memset(bits, 0, kWordsPerBlock * sizeof(std::uint64_t)); // memory kept by a clear() is not
    }
    lastBase_ = base;
    lastBits_ = &bits_[static_cast<std::size_t>(block) * kWordsPerBlock];
    return lastBits_;
}

bool AddressBits::sortedBlocks(MappedArray<std::uint32_t>& order) const
{
    for (std::uint32_t b = 0; b < bases_.size(); ++b)
        if (!order.push_back(b))
            return false;
    // A few thousand blocks: std::sort allocates nothing.
    std::sort(order.data(), order.data() + order.size(),
        [this](std::uint32_t x, std::uint32_t y) { return bases_[x] < bases_[y]; });
    return true;
}

} // namespace gcscope::agent
