#include "SnapshotChunk.h"

#include "ReferenceBlob.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace gcscope::storage {

namespace {
// Little-endian on disk; this build only targets little-endian machines (x86-64, arm64).
static_assert(std::endian::native == std::endian::little, "snapshot chunks are little-endian");

void put(unsigned char*& at, std::uint64_t value, std::size_t bytes)
{
    std::memcpy(at, &value, bytes);
    at += bytes;
}
} // namespace

void ChunkBuilder::add(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
    std::span<const std::uint32_t> labels)
{
    // Targets are deltas from the object's own id: the same bytes as a snapshot_objects.refs blob.
    reserveRefs(targets.size() * kMostReferenceBytes);
    end_ = static_cast<std::size_t>(encodeReferences(id, targets, labels, buffer_.get() + end_) - buffer_.get());
    putRecord(address, type, size, refcount, flags, label);
}

void ChunkBuilder::reserveRefs(std::size_t bytes)
{
    if (buffer_ && end_ + bytes <= capacity_)
        return;
    const std::size_t capacity = std::max({ end_ + bytes, 2 * capacity_, kRecordsRoom + 4096 });
    auto bigger = std::make_unique_for_overwrite<unsigned char[]>(capacity);
    if (buffer_)
        std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = capacity;
}

void ChunkBuilder::putRecord(std::uint64_t address, std::uint32_t type, std::uint64_t size, std::int64_t refcount,
    std::uint8_t flags, std::uint32_t label)
{
    unsigned char* p = buffer_.get() + kChunkRecordBytes * std::size_t { objects_ };
    put(p, address, 7);
    put(p, size, 5);
    put(p, static_cast<std::uint64_t>(std::clamp<std::int64_t>(refcount, 0, UINT32_MAX)), 4);
    put(p, type, 4);
    put(p, label, 4);
    put(p, flags, 1);
    put(p, end_ - kRecordsRoom, 4);
    ++objects_;
}

std::span<const unsigned char> ChunkBuilder::finish()
{
    reserveRefs(0);
    const std::size_t records = kChunkRecordBytes * std::size_t { objects_ };
    const std::size_t refs = end_ - kRecordsRoom;
    if (records < kRecordsRoom)
        std::memmove(buffer_.get() + records, buffer_.get() + kRecordsRoom, refs);
    objects_ = 0;
    end_ = kRecordsRoom;
    return { buffer_.get(), records + refs };
}

bool ChunkView::open(std::span<const unsigned char> blob, std::uint32_t objects)
{
    blob_ = blob;
    n_ = objects;
    const std::size_t fixed = kChunkRecordBytes * std::size_t { objects };
    if (blob.size() < fixed)
        return false;
    const std::size_t area = blob.size() - fixed;
    std::uint32_t previous = 0;
    for (std::uint32_t i = 0; i < objects; ++i) {
        const std::uint32_t end = refsEnd(i);
        if (end < previous || end > area)
            return false;
        previous = end;
    }
    return previous == area;
}

std::span<const unsigned char> ChunkView::refs(std::uint32_t i) const
{
    const std::uint32_t start = i == 0 ? 0 : refsEnd(i - 1);
    return blob_.subspan(kChunkRecordBytes * std::size_t { n_ } + start, refsEnd(i) - start);
}

} // namespace gcscope::storage
