#include "SnapshotChunk.h"

#include "ReferenceBlob.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace gcscope::storage {

namespace {
// Little-endian on disk; this build only targets little-endian machines (x86-64, arm64).
static_assert(std::endian::native == std::endian::little, "snapshot chunks are little-endian");

constexpr int kFields = kChunkFields;
constexpr std::size_t kPackedFixedHeader = 1 + kFields; // the shift, then a widths byte per field
constexpr unsigned kMostShift = 15;

void put(unsigned char*& at, std::uint64_t value, std::size_t bytes)
{
    std::memcpy(at, &value, bytes);
    at += bytes;
}

// The fewest bytes that hold `value` (0 for 0).
std::size_t bytesFor(std::uint64_t value)
{
    return static_cast<std::size_t>((std::bit_width(value) + 7) / 8);
}

std::uint64_t clampedRefcount(std::int64_t refcount)
{
    return static_cast<std::uint64_t>(std::clamp<std::int64_t>(refcount, 0, UINT32_MAX));
}
} // namespace

ChunkBuilder::ChunkBuilder(ChunkLayout layout)
    : layout_(layout)
{
}

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
    if (layout_ == ChunkLayout::Packed) {
        const std::uint32_t i = objects_++;
        fields_[kAddress][i] = address;
        fields_[kSize][i] = size;
        fields_[kRefcount][i] = clampedRefcount(refcount);
        fields_[kType][i] = type;
        fields_[kLabel][i] = label;
        fields_[kFlags][i] = flags;
        fields_[kRefsEnd][i] = end_ - kRecordsRoom;
        return;
    }
    unsigned char* p = buffer_.get() + kChunkRecordBytes * std::size_t { objects_ };
    put(p, address, 7);
    put(p, size, 5);
    put(p, clampedRefcount(refcount), 4);
    put(p, type, 4);
    put(p, label, 4);
    put(p, flags, 1);
    put(p, end_ - kRecordsRoom, 4);
    ++objects_;
}

std::span<const unsigned char> ChunkBuilder::finish()
{
    reserveRefs(0);
    if (layout_ == ChunkLayout::Packed)
        return finishPacked();
    const std::size_t records = kChunkRecordBytes * std::size_t { objects_ };
    const std::size_t refs = end_ - kRecordsRoom;
    if (records < kRecordsRoom)
        std::memmove(buffer_.get() + records, buffer_.get() + kRecordsRoom, refs);
    objects_ = 0;
    end_ = kRecordsRoom;
    return { buffer_.get(), records + refs };
}

std::span<const unsigned char> ChunkBuilder::finishPacked()
{
    const std::uint32_t n = objects_;
    std::array<std::uint64_t, kFields> base {};
    std::array<std::size_t, kFields> width {}, baseWidth {};
    unsigned shift = 0;
    for (int f = 0; f < kFields; ++f) {
        auto& values = fields_[f];
        std::uint64_t least = UINT64_MAX, most = 0;
        if (f == kLabel) {
            // 0 (no label) stays 0; the others count from the least of them, plus one.
            for (std::uint32_t i = 0; i < n; ++i)
                if (values[i] != 0)
                    least = std::min(least, values[i]);
            if (least == UINT64_MAX)
                least = 0;
            for (std::uint32_t i = 0; i < n; ++i) {
                values[i] = values[i] == 0 ? 0 : values[i] - least + 1;
                most = std::max(most, values[i]);
            }
        } else if (f == kRefsEnd) {
            least = 0;
            most = n == 0 ? 0 : values[n - 1]; // they ascend
        } else {
            for (std::uint32_t i = 0; i < n; ++i) {
                least = std::min(least, values[i]);
                most = std::max(most, values[i]);
            }
            if (n == 0)
                least = 0;
            std::uint64_t any = 0;
            for (std::uint32_t i = 0; i < n; ++i)
                any |= (values[i] -= least);
            if (f == kAddress && any != 0) {
                shift = std::min<unsigned>(static_cast<unsigned>(std::countr_zero(any)), kMostShift);
                for (std::uint32_t i = 0; i < n; ++i)
                    values[i] >>= shift;
            }
            most = n == 0 ? 0 : (most - least) >> (f == kAddress ? shift : 0);
        }
        base[f] = least;
        width[f] = bytesFor(most);
        baseWidth[f] = bytesFor(least);
    }

    std::size_t header = kPackedFixedHeader, record = 0;
    for (int f = 0; f < kFields; ++f) {
        header += baseWidth[f];
        record += width[f];
    }
    const std::size_t refs = end_ - kRecordsRoom;
    // 8 bytes of slack: each field is written as 8 bytes, and the next field (or record) over it.
    packed_.resize(header + record * n + refs + 8);
    unsigned char* p = packed_.data();
    *p++ = static_cast<unsigned char>(shift);
    for (int f = 0; f < kFields; ++f)
        *p++ = static_cast<unsigned char>(width[f] | baseWidth[f] << 4);
    for (int f = 0; f < kFields; ++f)
        put(p, base[f], baseWidth[f]);
    for (std::uint32_t i = 0; i < n; ++i)
        for (int f = 0; f < kFields; ++f) {
            std::memcpy(p, &fields_[f][i], 8);
            p += width[f];
        }
    std::memcpy(p, buffer_.get() + kRecordsRoom, refs);
    objects_ = 0;
    end_ = kRecordsRoom;
    return { packed_.data(), header + record * n + refs };
}

bool ChunkView::open(std::span<const unsigned char> blob, std::uint32_t objects, ChunkLayout layout)
{
    blob_ = blob;
    if (layout == ChunkLayout::Records) {
        constexpr std::array<std::size_t, kFields> kOffsets { 0, 7, 12, 16, 20, 24, 25 };
        constexpr std::array<std::size_t, kFields> kWidths { 7, 5, 4, 4, 4, 1, 4 };
        records_ = 0;
        recordBytes_ = kChunkRecordBytes;
        shift_ = 0;
        labelOffset_ = 0;
        offset_ = kOffsets;
        width_ = kWidths;
        base_ = {};
    } else if (layout == ChunkLayout::Packed) {
        if (blob.size() < kPackedFixedHeader)
            return false;
        shift_ = blob[0];
        if (shift_ > kMostShift)
            return false;
        std::size_t at = kPackedFixedHeader, record = 0;
        for (int f = 0; f < kFields; ++f) {
            const std::size_t w = blob[1 + f] & 15u, bw = blob[1 + f] >> 4;
            if (w > 8 || bw > 8 || (f == kRefsEnd && bw != 0) || at + bw > blob.size())
                return false;
            base_[f] = 0;
            std::memcpy(&base_[f], blob.data() + at, bw);
            at += bw;
            width_[f] = w;
            offset_[f] = record;
            record += w;
        }
        records_ = at;
        recordBytes_ = record;
        labelOffset_ = 1;
    } else {
        return false;
    }
    for (int f = 0; f < kFields; ++f)
        mask_[f] = width_[f] == 8 ? UINT64_MAX : (std::uint64_t { 1 } << 8 * width_[f]) - 1;
    const std::size_t fixed = records_ + recordBytes_ * std::size_t { objects };
    if (blob.size() < fixed)
        return false;
    area_ = fixed;
    const std::size_t area = blob.size() - fixed;
    std::uint64_t previous = 0;
    for (std::uint32_t i = 0; i < objects; ++i) {
        const std::uint64_t end = raw(i, kRefsEnd);
        if (end < previous || end > area)
            return false;
        previous = end;
    }
    return previous == area;
}

std::span<const unsigned char> ChunkView::refs(std::uint32_t i) const
{
    const std::uint32_t start = i == 0 ? 0 : refsEnd(i - 1);
    return blob_.subspan(area_ + start, refsEnd(i) - start);
}

} // namespace gcscope::storage
