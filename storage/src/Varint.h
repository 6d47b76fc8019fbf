// Unsigned LEB128 varints (7 bits per byte, least significant first, the high bit on every byte but
// the last) and zig-zag deltas, as the file's blobs store numbers: ReferenceBlob.h, DominatorChunk.h.
#pragma once

#include <cstdint>

namespace gcscope::storage {

// Writes v at out, at most 10 bytes; returns the end of what it wrote.
inline unsigned char* putVarint(std::uint64_t v, unsigned char* out)
{
    while (v >= 0x80) {
        *out++ = static_cast<unsigned char>(v | 0x80);
        v >>= 7;
    }
    *out++ = static_cast<unsigned char>(v);
    return out;
}

// Reads one varint of at most maxBytes bytes (10 hold any 64-bit value) from p, moving p past it;
// false when it is cut short by end, longer than maxBytes, or beyond 64 bits.
inline bool getVarint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v, int maxBytes)
{
    v = 0;
    for (int i = 0; i < maxBytes && p != end; ++i) {
        const unsigned char byte = *p++;
        if (i == 9 && byte > 1)
            return false; // the tenth byte holds bit 63 only
        v |= std::uint64_t { byte & 0x7fu } << (7 * i);
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

// target - previous as an unsigned number, small when the two are close: d >= 0 ? 2d : -2d - 1.
inline std::uint64_t zigzagDelta(std::int64_t target, std::int64_t previous)
{
    const std::int64_t delta = target - previous;
    return delta >= 0 ? std::uint64_t(delta) << 1 : (std::uint64_t(-delta) << 1) - 1;
}

// The delta a zig-zag number stands for (zigzag below 2^63).
inline std::int64_t fromZigzag(std::uint64_t zigzag)
{
    const auto magnitude = static_cast<std::int64_t>(zigzag >> 1);
    return (zigzag & 1) ? -magnitude - 1 : magnitude;
}

} // namespace gcscope::storage
