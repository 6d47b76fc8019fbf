// snapshot_chunks.data: up to kChunkObjects consecutive objects of a snapshot in one blob, so that
// a snapshot is written and read at the speed of the disk rather than of one SQLite row per
// object. Two layouts, named by the row's `layout` column (docs/schema.md shows how to read both
// with plain SQL; the snapshot_object_list view does):
//
// ChunkLayout::Records (0; schema 5 to 8, and the only one those files have): n records of 29
// bytes, little-endian,
//
//   offset  0 : address   7 bytes (the object's address in the target: user addresses fit 56 bits)
//   offset  7 : size      5       (shallow size, bytes, below 1 TiB)
//   offset 12 : refcount  4       (0 to 4294967295; a count outside that range is stored clamped)
//   offset 16 : type      4       (snapshot_strings.id of its type name)
//   offset 20 : label     4       (snapshot_strings.id of its label, 0 none)
//   offset 24 : flags     1
//   offset 25 : refs_end  4       (where its references end in the refs area; they start where the
//                                  previous record's end, at 0 for the first: the 4 bytes in front)
//
// then, at 29n, the refs area: each object's references encoded as snapshot_objects.refs is
// (ReferenceBlob.h), one after the other.
//
// ChunkLayout::Packed (1; what schema 9 writes): the same seven fields, each stored as its
// difference from the chunk's smallest value of it, in as few bytes as the chunk's largest
// difference needs (0 when all are equal). A chunk's objects were allocated near each other and
// are mostly alike, so a record takes 5 to 8 bytes instead of 29 (measured on a CPython 3.11
// service heap: 6.3 bytes per object, header included). Little-endian throughout:
//
//   byte  0        : the address shift s (0 to 15): every address less the smallest is a multiple
//                    of 2^s, and is stored divided by it
//   bytes 1 to 7   : per field, in the order above (address, size, refcount, type, label, flags,
//                    refs_end): its width in the records, 0 to 8, in the low 4 bits, and the width
//                    of its base, 0 to 8, in the high 4 (refs_end has no base: 0)
//   then           : the bases, in field order, each in its own width
//   then           : n records, each the fields in order, each in its width; a field is its base
//                    plus the stored value (the address: shifted left by s first), except the
//                    label: 0 stays 0 (none), v > 0 is base + v - 1, its base the smallest label
//                    other than 0
//   then           : the refs area, as in the other layout
//
// Both layouts hold the same values: a chunk reads back the same whichever was written.
#pragma once

#include <gcscope/storage/Records.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace gcscope::storage {

// About 2.2 KiB each packed (5.5 KiB as 29-byte records): the snapshot_object_list view, which
// reads a chunk's whole blob for each of its objects, stays usable, and SQLite writes and reads a
// 128th of the rows it would for one row per object. (256 stored the 29-byte records 1.5 times as
// fast, at 2 to 3 more bytes per object: half-empty pages.)
inline constexpr std::uint32_t kChunkObjects = 128;
inline constexpr std::size_t kChunkRecordBytes = 29; // per object, before the references (Records)
inline constexpr std::uint64_t kChunkMaxAddress = (std::uint64_t { 1 } << 56) - 1;
inline constexpr std::uint64_t kChunkMaxSize = (std::uint64_t { 1 } << 40) - 1;

// The value of snapshot_chunks.layout.
enum class ChunkLayout : std::uint8_t {
    Records = 0, // 29-byte records (schema 5 to 8)
    Packed = 1, // fields by the chunk's smallest value and fewest bytes (schema 9)
};

// A record's fields, in their order in both layouts.
enum ChunkField { kAddress, kSize, kRefcount, kType, kLabel, kFlags, kRefsEnd, kChunkFields };

// Collects objects in id order and lays them out as one chunk in `layout`.
class ChunkBuilder {
public:
    explicit ChunkBuilder(ChunkLayout layout = ChunkLayout::Packed);

    // References as two parallel spans: targets[i] with labels[i].
    void add(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size, std::int64_t refcount,
        std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
        std::span<const std::uint32_t> labels);
    std::uint32_t objects() const { return objects_; }
    // Whether a record can hold this address and size (add() must not be given others).
    static bool fits(std::uint64_t address, std::uint64_t size)
    {
        return address <= kChunkMaxAddress && size <= kChunkMaxSize;
    }
    // The chunk's blob, valid until the next add(); empties the builder for the next chunk.
    std::span<const unsigned char> finish();

private:
    static constexpr std::size_t kRecordsRoom = kChunkRecordBytes * kChunkObjects;
    // Room for `bytes` more references' bytes past end_.
    void reserveRefs(std::size_t bytes);
    void putRecord(std::uint64_t address, std::uint32_t type, std::uint64_t size, std::int64_t refcount,
        std::uint8_t flags, std::uint32_t label);
    std::span<const unsigned char> finishPacked();

    ChunkLayout layout_;
    std::uint32_t objects_ = 0;
    // Records: the records' room for kChunkObjects objects first, the references after it (moved
    // up to the records by finish() when the chunk has fewer objects). Packed: the references
    // only, from kRecordsRoom on too, laid out behind the header and records in packed_.
    std::unique_ptr<unsigned char[]> buffer_; // not zeroed: only what was written is read
    std::size_t capacity_ = 0;
    std::size_t end_ = kRecordsRoom; // where the references written so far end
    // Packed: each field's values of the objects so far, laid out by finish().
    std::array<std::array<std::uint64_t, kChunkObjects>, kChunkFields> fields_ {};
    std::vector<unsigned char> packed_;
};

// One chunk's records, read in place (the blob must outlive it).
class ChunkView {
public:
    // False when the blob cannot hold `objects` objects in `layout` (too short, a header out of
    // range, or references that end outside it or before they start).
    bool open(std::span<const unsigned char> blob, std::uint32_t objects, ChunkLayout layout = ChunkLayout::Records);

    std::uint64_t address(std::uint32_t i) const { return base_[kAddress] + (raw(i, kAddress) << shift_); }
    std::uint64_t size(std::uint32_t i) const { return field(i, kSize); }
    // Refcounts, types, labels and flags as stored: a damaged packed chunk can hold values past
    // their 32 (flags: 8) bits, which the reader refuses.
    std::int64_t refcount(std::uint32_t i) const { return static_cast<std::int64_t>(field(i, kRefcount)); }
    std::uint64_t type(std::uint32_t i) const { return field(i, kType); }
    std::uint64_t label(std::uint32_t i) const
    {
        const std::uint64_t stored = raw(i, kLabel);
        return stored == 0 ? 0 : base_[kLabel] + stored - labelOffset_;
    }
    std::uint64_t flags(std::uint32_t i) const { return field(i, kFlags); }
    // Object i's encoded references (ReferenceBlob.h).
    std::span<const unsigned char> refs(std::uint32_t i) const;

private:
    // The stored value of field f of record i, without its base.
    std::uint64_t raw(std::uint32_t i, int f) const
    {
        const std::size_t at = records_ + recordBytes_ * std::size_t { i } + offset_[f];
        std::uint64_t value = 0;
        if (at + 8 <= blob_.size()) {
            std::memcpy(&value, blob_.data() + at, 8);
            return value & mask_[f];
        }
        std::memcpy(&value, blob_.data() + at, width_[f]);
        return value;
    }
    // Field f of record i; the address and the label decode apart (shifted; 0 is none).
    std::uint64_t field(std::uint32_t i, int f) const { return base_[f] + raw(i, f); }
    std::uint32_t refsEnd(std::uint32_t i) const { return static_cast<std::uint32_t>(raw(i, kRefsEnd)); }

    std::span<const unsigned char> blob_;
    std::size_t records_ = 0; // where the records start
    std::size_t recordBytes_ = 0;
    std::size_t area_ = 0; // where the references start
    unsigned shift_ = 0;
    std::uint64_t labelOffset_ = 0; // 1 when packed (a stored label v > 0 is base + v - 1), else 0
    std::array<std::size_t, kChunkFields> offset_ {};
    std::array<std::size_t, kChunkFields> width_ {};
    std::array<std::uint64_t, kChunkFields> mask_ {};
    std::array<std::uint64_t, kChunkFields> base_ {};
};

} // namespace gcscope::storage
