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
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const StoredReference> refs)
{
    if (!refs.empty()) {
        // Targets are deltas from the object's own id: the same bytes as a snapshot_objects.refs blob.
        encodeReferences(id, refs, scratch_);
        refs_.insert(refs_.end(), scratch_.begin(), scratch_.end());
    }
    const std::size_t at = records_.size();
    records_.resize(at + kChunkRecordBytes);
    unsigned char* p = records_.data() + at;
    put(p, address, 7);
    put(p, size, 5);
    put(p, static_cast<std::uint64_t>(std::clamp<std::int64_t>(refcount, 0, UINT32_MAX)), 4);
    put(p, type, 4);
    put(p, label, 4);
    put(p, flags, 1);
    put(p, refs_.size(), 4);
    ++objects_;
}

const std::vector<unsigned char>& ChunkBuilder::finish()
{
    blob_.clear();
    blob_.reserve(records_.size() + refs_.size());
    blob_.insert(blob_.end(), records_.begin(), records_.end());
    blob_.insert(blob_.end(), refs_.begin(), refs_.end());
    records_.clear();
    refs_.clear();
    objects_ = 0;
    return blob_;
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
