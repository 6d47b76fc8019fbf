#include "DominatorChunk.h"

#include "Varint.h"

#include <gcscope/storage/KeptDominators.h>

namespace gcscope::storage {

namespace {
constexpr int kMaxVarintBytes = 10; // retained sizes take up to 64 bits
} // namespace

void encodeDominatorChunk(std::uint32_t firstId, std::span<const std::uint32_t> idom,
    std::span<const std::uint64_t> retained, std::vector<unsigned char>& out)
{
    const std::size_t start = out.size();
    out.resize(start + idom.size() * 2 * kMaxVarintBytes);
    unsigned char* at = out.data() + start;
    for (std::size_t i = 0; i < idom.size(); ++i) {
        const std::uint32_t d = idom[i];
        std::uint64_t code = 0;
        if (d == kKeptVirtualRoot)
            code = 1;
        else if (d != kKeptNoDominator)
            code = 2 + zigzagDelta(d, std::int64_t { firstId } + static_cast<std::int64_t>(i));
        at = putVarint(code, at);
        at = putVarint(retained[i], at);
    }
    out.resize(static_cast<std::size_t>(at - out.data()));
}

bool decodeDominatorChunk(std::uint32_t firstId, std::uint64_t objects, std::span<const unsigned char> data,
    std::span<std::uint32_t> idom, std::span<std::uint64_t> retained)
{
    const unsigned char* p = data.data();
    const unsigned char* const end = p + data.size();
    for (std::size_t i = 0; i < idom.size(); ++i) {
        std::uint64_t code = 0;
        if (!getVarint(p, end, code, kMaxVarintBytes) || !getVarint(p, end, retained[i], kMaxVarintBytes))
            return false;
        if (code == 0) {
            idom[i] = kKeptNoDominator;
        } else if (code == 1) {
            idom[i] = kKeptVirtualRoot;
        } else {
            const std::uint64_t z = code - 2;
            if (z >> 34)
                return false; // no two ids of a snapshot are that far apart
            const std::int64_t target = std::int64_t { firstId } + static_cast<std::int64_t>(i) + fromZigzag(z);
            if (target < 0 || static_cast<std::uint64_t>(target) >= objects)
                return false;
            idom[i] = static_cast<std::uint32_t>(target);
        }
    }
    return p == end;
}

} // namespace gcscope::storage
