// The snapshot_objects.refs blob: an object's outgoing references, about 2-4 bytes each.
//
// For each reference, in order, two unsigned LEB128 varints:
//   1. the target id as a zig-zag delta from the previous target (from the object's own id for
//      the first one): zigzag(d) = d >= 0 ? 2d : -2d - 1. Python allocates related objects
//      together, so on real heaps the deltas are small (measured on a CPython 3.11 heap: 1.7-2.2
//      bytes per target, against 2.8 for plain ids).
//   2. the label: 0 none; 2s for string id s; 2i + 1 for list/tuple index i. Small indexes and
//      frequent names take one byte, where the in-memory form (index bit 0x80000000) would take 5.
// An object without references stores NULL, not an empty blob.
#pragma once

#include <gcscope/storage/Records.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gcscope::storage {

// Replaces out's contents with the encoding of refs, the references of object `self`.
void encodeReferences(std::uint32_t self, std::span<const StoredReference> refs, std::vector<unsigned char>& out);

// The most bytes one reference takes: two varints of at most 5 bytes.
inline constexpr std::size_t kMostReferenceBytes = 10;
// The same encoding of the references targets[i] with labels[i] (as long as targets), written at
// `out`, which has room for kMostReferenceBytes each; returns the end of what it wrote.
unsigned char* encodeReferences(std::uint32_t self, std::span<const std::uint32_t> targets,
    std::span<const std::uint32_t> labels, unsigned char* out);

// Replaces out's contents with the references decoded from blob. false for a malformed blob: a
// varint cut short or longer than 5 bytes, a target outside 0..2^32-1, or a label out of range.
bool decodeReferences(std::uint32_t self, std::span<const unsigned char> blob, std::vector<StoredReference>& out);

} // namespace gcscope::storage
