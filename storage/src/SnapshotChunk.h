// snapshot_chunks.data (schema 5): up to kChunkObjects consecutive objects of a snapshot in one
// blob, so that a snapshot is written and read at the speed of the disk rather than of one SQLite
// row per object. For n objects: n records of 29 bytes, little-endian,
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
// (ReferenceBlob.h), one after the other. docs/schema.md shows how to read them with plain SQL (the
// snapshot_object_list view does). About 29 bytes per object plus its references: less than a row
// of snapshot_objects took.
#pragma once

#include <gcscope/storage/Records.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace gcscope::storage {

// About 5.5 KiB each: about eleven fill a 64 KiB page (gcscope's page size) with little left over,
// and the snapshot_object_list view, which reads a chunk's whole blob for each of its objects,
// stays usable. SQLite writes and reads a 128th of the rows it would for one row per object.
// (256 stored a snapshot 1.5 times as fast, at 2 to 3 more bytes per object: half-empty pages.)
inline constexpr std::uint32_t kChunkObjects = 128;
inline constexpr std::size_t kChunkRecordBytes = 29; // per object, before the references
inline constexpr std::uint64_t kChunkMaxAddress = (std::uint64_t { 1 } << 56) - 1;
inline constexpr std::uint64_t kChunkMaxSize = (std::uint64_t { 1 } << 40) - 1;

// Collects objects in id order and lays them out as one chunk, in one buffer: the records' room
// for kChunkObjects objects first, the references after it (moved up to the records by finish()
// when the chunk has fewer objects). Nothing is zeroed or copied on the way.
class ChunkBuilder {
public:
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
    std::uint32_t objects_ = 0;
    std::unique_ptr<unsigned char[]> buffer_; // not zeroed: only what was written is read
    std::size_t capacity_ = 0;
    std::size_t end_ = kRecordsRoom; // where the references written so far end
};

// One chunk's records, read in place (the blob must outlive it).
class ChunkView {
public:
    // False when the blob cannot hold `objects` objects (too short, or references that end outside
    // it or before they start).
    bool open(std::span<const unsigned char> blob, std::uint32_t objects);

    std::uint64_t address(std::uint32_t i) const { return read(i, 0, 7); }
    std::uint64_t size(std::uint32_t i) const { return read(i, 7, 5); }
    std::int64_t refcount(std::uint32_t i) const { return static_cast<std::int64_t>(read(i, 12, 4)); }
    std::uint32_t type(std::uint32_t i) const { return static_cast<std::uint32_t>(read(i, 16, 4)); }
    std::uint32_t label(std::uint32_t i) const { return static_cast<std::uint32_t>(read(i, 20, 4)); }
    std::uint8_t flags(std::uint32_t i) const { return blob_[kChunkRecordBytes * i + 24]; }
    // Object i's encoded references (ReferenceBlob.h).
    std::span<const unsigned char> refs(std::uint32_t i) const;

private:
    std::uint64_t read(std::uint32_t i, std::size_t field, std::size_t bytes) const
    {
        std::uint64_t value = 0;
        std::memcpy(&value, blob_.data() + kChunkRecordBytes * i + field, bytes);
        return value;
    }
    std::uint32_t refsEnd(std::uint32_t i) const { return static_cast<std::uint32_t>(read(i, 25, 4)); }

    std::span<const unsigned char> blob_;
    std::uint32_t n_ = 0;
};

} // namespace gcscope::storage
