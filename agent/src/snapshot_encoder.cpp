#include "snapshot_encoder.h"

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

void SnapshotEncoder::endRecord()
{
    if (stream_.failed())
        return;
    std::memcpy(stream_.data() + objectStart_ + 33, &references_, 4);
    // A frame carries at most kMaxPayload bytes: a record that would take the chunk past that (a
    // list of millions) goes into the next frame, which it fits alone.
    if (chunkObjects_ > 0 && kCountBytes + (stream_.size() - chunkStart_) > wire::kMaxPayload)
        cutBefore(objectStart_);
    objects_ += records_ == 1 ? 1 : 0;
    ++chunkObjects_;
    referencesTotal_ += references_;
    if (stream_.size() - chunkStart_ >= kChunkBytes)
        cut();
}

bool SnapshotEncoder::continueObject()
{
    if (stream_.failed() || sinkFailed_)
        return false;
    // The fields before the count, as the first record has them (cutting may send those bytes).
    char fields[kObjectBytes - 4];
    std::memcpy(fields, stream_.data() + objectStart_, sizeof fields);
    const std::uint32_t records = records_;
    endRecord();
    if (sinkFailed_)
        return false;
    objectStart_ = stream_.size();
    references_ = 0;
    records_ = records + 1;
    char* p = stream_.extend(kObjectBytes);
    if (!p)
        return false;
    std::memcpy(p, fields, sizeof fields);
    p[28] = static_cast<char>(p[28] | wire::kObjectContinued);
    return true;
}

// The strings added since the last cut, as many whole records to a frame as fit a chunk (at least
// one), read from the table's records in order.
void SnapshotEncoder::cutStrings()
{
    const std::uint32_t last = strings_.count();
    std::uint32_t first = stringsCut_ + 1;
    std::size_t start = stringsCutBytes_;
    while (first <= last) {
        std::uint32_t end = first;
        std::size_t stop = start;
        do {
            stop += strings_.recordBytesAt(stop);
            ++end;
        } while (end <= last && stop + strings_.recordBytesAt(stop) - start <= kChunkBytes);
        FrameSegment s = segment(wire::MessageType::SnapshotStrings, true, start, stop - start);
        putU32(s, first);
        putU32(s, end - first);
        segments_.push_back(s);
        first = end;
        start = stop;
    }
    stringsCut_ = last;
    stringsCutBytes_ = start;
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
    if (sink_)
        flush();
}

void SnapshotEncoder::flush()
{
    for (const FrameSegment& s : segments_) {
        if (sinkFailed_)
            break;
        const std::string_view prefix(reinterpret_cast<const char*>(s.prefix), s.prefixSize);
        sinkFailed_ = !sink_->send(s.type, prefix, { bytesOf(s), s.length });
    }
    segments_.clear();
    // The strings sent are dropped from the table: a child's labels would otherwise stay to the end.
    if (!sinkFailed_) {
        strings_.dropSent(stringsCutBytes_);
        stringsCutBytes_ = 0;
    }
    // What follows the frames sent (an object that did not fit the last one) moves to the front.
    const std::size_t sent = chunkStart_;
    if (sent == 0)
        return;
    stream_.dropFront(sent);
    sentBytes_ += sent;
    chunkStart_ = 0;
    objectStart_ = objectStart_ >= sent ? objectStart_ - sent : 0;
}

bool SnapshotEncoder::finish()
{
    if (failed())
        return false;
    cut();
    cutStrings(); // strings no object used (none today, but the table says what was sent)
    if (sink_)
        flush();
    return !failed();
}

} // namespace gcscope::agent
