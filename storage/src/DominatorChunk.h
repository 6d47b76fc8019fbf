// The data of one snapshot_dominator_chunks row (schema 7): per object, in id order, two unsigned
// LEB128 varints (7 bits per byte, least significant first, high bit on every byte but the last):
//   1. its immediate dominator: 0 none (unreachable), 1 the virtual root, else 2 + zigzag(idom - id),
//      zigzag(d) = d >= 0 ? 2d : -2d - 1 (an object's dominator is usually allocated near it);
//   2. its retained size in bytes (most objects retain only themselves: one or two bytes).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace gcscope::storage {

// Objects per row: 4096 make rows of some 16 KiB, a few thousand rows for 10M objects.
inline constexpr std::uint32_t kDominatorChunkObjects = 4096;

// Appends the records of objects firstId .. firstId + idom.size() - 1 to out.
void encodeDominatorChunk(std::uint32_t firstId, std::span<const std::uint32_t> idom,
    std::span<const std::uint64_t> retained, std::vector<unsigned char>& out);

// Decodes exactly idom.size() records of objects firstId.. into idom and retained (as long);
// false when the data is malformed: cut short, bytes left over, a varint longer than 10 bytes,
// or a dominator outside 0 .. objects - 1 (objects: the snapshot's).
bool decodeDominatorChunk(std::uint32_t firstId, std::uint64_t objects, std::span<const unsigned char> data,
    std::span<std::uint32_t> idom, std::span<std::uint64_t> retained);

} // namespace gcscope::storage
