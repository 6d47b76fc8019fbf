#include "snapshot_encoder.h"

#include <algorithm>

namespace gcscope::agent {

namespace {

FrameSegment segment(wire::MessageType type, bool fromStrings, std::size_t offset, std::size_t length)
{
    FrameSegment s;
    s.type = type;
    s.fromStrings = fromStrings;
    s.offset = offset;
    s.length = length;
    return s;
}

void putU32(FrameSegment& s, std::uint32_t value)
{
    std::memcpy(s.prefix + s.prefixSize, &value, 4);
    s.prefixSize += 4;
}

} // namespace

void ReferenceSpan::reverse(std::uint32_t from, std::uint32_t to)
{
    char scratch[kSize];
    for (; from + 1 < to; ++from, --to) {
        char* a = first_ + from * kSize;
        char* b = first_ + (to - 1) * kSize;
        std::memcpy(scratch, a, kSize);
        std::memcpy(a, b, kSize);
        std::memcpy(b, scratch, kSize);
    }
}

bool SnapshotEncoder::full()
{
    if (!truncatedThis_) {
        truncatedThis_ = true;
        ++truncated_;
    }
    return false;
}

void SnapshotEncoder::cutStrings()
{
    const std::uint32_t last = strings_.count();
    std::uint32_t first = stringsCut_ + 1;
    while (first <= last) {
        // As many whole records as fit a chunk (at least one).
        std::uint32_t end = first + 1;
        const std::size_t start = strings_.offsetOf(first);
        while (end <= last && strings_.offsetOf(end + 1) - start <= kChunkBytes)
            ++end;
        FrameSegment s = segment(wire::MessageType::SnapshotStrings, true, start, strings_.offsetOf(end) - start);
        putU32(s, first);
        putU32(s, end - first);
        segments_.push_back(s);
        first = end;
    }
    stringsCut_ = last;
}

void SnapshotEncoder::cut()
{
    if (chunkObjects_ != 0)
        cutBefore(stream_.size());
}

void SnapshotEncoder::cutBefore(std::size_t end)
{
    cutStrings();
    FrameSegment s = segment(wire::MessageType::SnapshotObjects, false, chunkStart_, end - chunkStart_);
    putU32(s, chunkObjects_);
    segments_.push_back(s);
    chunkStart_ = end;
    chunkObjects_ = 0;
}

void SnapshotEncoder::addToRefcounts(
    const std::vector<std::pair<std::uintptr_t, std::uint32_t>>& counts, std::uint8_t flag)
{
    char* data = stream_.data();
    const std::size_t size = stream_.size();
    for (std::size_t at = 0; at + kObjectBytes <= size;) {
        std::uint64_t address;
        std::uint32_t references;
        std::memcpy(&address, data + at, 8);
        std::memcpy(&references, data + at + 33, 4);
        auto it
            = std::lower_bound(counts.begin(), counts.end(), std::pair<std::uintptr_t, std::uint32_t> { address, 0 });
        if (it != counts.end() && it->first == address) {
            std::int64_t refcount;
            std::memcpy(&refcount, data + at + 20, 8);
            refcount += it->second;
            std::memcpy(data + at + 20, &refcount, 8);
            data[at + 28] = static_cast<char>(data[at + 28] | flag);
        }
        at += kObjectBytes + static_cast<std::size_t>(references) * kReferenceBytes;
    }
}

bool SnapshotEncoder::finish()
{
    if (failed())
        return false;
    cut();
    cutStrings(); // strings no object used (none today, but the table says what was sent)
    return true;
}

} // namespace gcscope::agent
