#include "DominatorChunk.h"

#include <gcscope/storage/KeptDominators.h>

namespace gcscope::storage {

namespace {

void putVarint(std::uint64_t v, std::vector<unsigned char>& out)
{
    while (v >= 0x80) {
        out.push_back(static_cast<unsigned char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<unsigned char>(v));
}

bool getVarint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v)
{
    v = 0;
    for (unsigned shift = 0; shift < 70 && p < end; shift += 7) {
        const unsigned char b = *p++;
        if (shift == 63 && b > 1)
            return false; // beyond 64 bits
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (b < 0x80)
            return true;
    }
    return false;
}

} // namespace

void encodeDominatorChunk(std::uint32_t firstId, std::span<const std::uint32_t> idom,
    std::span<const std::uint64_t> retained, std::vector<unsigned char>& out)
{
    for (std::size_t i = 0; i < idom.size(); ++i) {
        const std::uint32_t d = idom[i];
        std::uint64_t code = 0;
        if (d == kKeptVirtualRoot) {
            code = 1;
        } else if (d != kKeptNoDominator) {
            const std::int64_t delta = static_cast<std::int64_t>(d) - static_cast<std::int64_t>(firstId + i);
            code
                = 2 + (delta >= 0 ? 2 * static_cast<std::uint64_t>(delta) : 2 * static_cast<std::uint64_t>(-delta) - 1);
        }
        putVarint(code, out);
        putVarint(retained[i], out);
    }
}

bool decodeDominatorChunk(std::uint32_t firstId, std::uint64_t objects, std::span<const unsigned char> data,
    std::span<std::uint32_t> idom, std::span<std::uint64_t> retained)
{
    const unsigned char* p = data.data();
    const unsigned char* const end = p + data.size();
    for (std::size_t i = 0; i < idom.size(); ++i) {
        std::uint64_t code = 0;
        if (!getVarint(p, end, code) || !getVarint(p, end, retained[i]))
            return false;
        if (code == 0) {
            idom[i] = kKeptNoDominator;
        } else if (code == 1) {
            idom[i] = kKeptVirtualRoot;
        } else {
            const std::uint64_t z = code - 2;
            if (z >> 34)
                return false; // no two ids of a snapshot are that far apart
            const std::int64_t delta
                = (z & 1) ? -static_cast<std::int64_t>((z - 1) / 2) - 1 : static_cast<std::int64_t>(z / 2);
            const std::int64_t target = static_cast<std::int64_t>(firstId + i) + delta;
            if (target < 0 || static_cast<std::uint64_t>(target) >= objects)
                return false;
            idom[i] = static_cast<std::uint32_t>(target);
        }
    }
    return p == end;
}

} // namespace gcscope::storage
