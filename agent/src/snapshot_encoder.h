// Writes snapshot objects straight into their SnapshotObjects wire form while the heap is walked,
// and cuts the stream into frames of about kChunkBytes: before each objects frame go the
// SnapshotStrings frames of every string first used since the previous one, so a string id is
// always defined before an object uses it. Nothing is copied: a frame is a small prefix (its
// record's count fields) plus a slice of the objects stream or of the string table's records.
//
// Walked in the target, the frames wait in the encoder until the GIL is released (segments()).
// A snapshot child gives the encoder a FrameSink instead: each frame is sent as soon as it is cut,
// and the objects stream keeps only the chunk being written (about 1 MiB, not the whole heap's
// records).
#pragma once

#include "mapped_buffer.h"
#include "string_table.h"

#include <gcscope/wire.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace gcscope::agent {

static_assert(std::endian::native == std::endian::little, "records are written in memory order");

// The references of the object being written, in place in the stream: 12 bytes each, the target
// address (u64) then the edge label (u32).
class ReferenceSpan {
public:
    ReferenceSpan(char* first, std::uint32_t count)
        : first_(first)
        , count_(count)
    {
    }
    std::uint32_t size() const { return count_; }
    std::uintptr_t target(std::uint32_t i) const
    {
        std::uint64_t t;
        std::memcpy(&t, first_ + i * kSize, 8);
        return static_cast<std::uintptr_t>(t);
    }
    void setLabel(std::uint32_t i, std::uint32_t label) { std::memcpy(first_ + i * kSize + 8, &label, 4); }
    // Reverses references [from, to): tp_traverse of lists and tuples visits the last item first.
    void reverse(std::uint32_t from, std::uint32_t to);

private:
    static constexpr std::size_t kSize = 12;
    char* first_;
    std::uint32_t count_;
};

// A frame ready to send: header(type, prefix + slice) + prefix + slice.
struct FrameSegment {
    wire::MessageType type {};
    std::uint8_t prefix[8] {};
    std::uint8_t prefixSize = 0;
    bool fromStrings = false; // a slice of the string table's records, else of the objects stream
    std::size_t offset = 0;
    std::size_t length = 0;
};

// Where a streaming encoder sends its frames. False: the frame could not be sent, and the snapshot
// stops (the encoder fails from then on).
class FrameSink {
public:
    virtual bool send(wire::MessageType type, std::string_view prefix, std::string_view body) = 0;

protected:
    ~FrameSink() = default;
};

class SnapshotEncoder {
public:
    static constexpr std::size_t kChunkBytes = 1024 * 1024;
    static constexpr std::size_t kObjectBytes = 37; // the fixed part of an object record
    static constexpr std::size_t kReferenceBytes = 12;
    static constexpr std::size_t kCountBytes = 4; // the objects frame's count, before the records
    // One record must fit a frame: an object with more references goes on in records marked
    // wire::kObjectContinued.
    static constexpr std::uint32_t kMaxReferences
        = static_cast<std::uint32_t>((wire::kMaxPayload - kCountBytes - kObjectBytes) / kReferenceBytes);

    explicit SnapshotEncoder(StringTable& strings)
        : strings_(strings)
    {
    }

    // Faults in room for `bytes` of records now (call it before taking the GIL). Only a hint: on
    // failure the stream grows as it is written.
    void prepare(std::size_t bytes) { stream_.prefault(bytes); }
    // Sends every frame to `sink` as it is cut, from now on. Before the first object.
    void streamTo(FrameSink* sink) { sink_ = sink; }
    // Every byte of object records written so far, sent or not.
    std::size_t streamBytes() const { return sentBytes_ + stream_.size(); }
    // The memory the records take now: with a sink, about a frame's worth whatever the heap.
    std::size_t bufferBytes() const { return stream_.capacity(); }

    // Starts an object's record. False when memory ran out or the sink refused a frame.
    bool beginObject(std::uintptr_t address, std::uint32_t type, std::uint64_t size, std::int64_t refcount,
        std::uint8_t flags, std::uint32_t label)
    {
        if (sinkFailed_)
            return false;
        objectStart_ = stream_.size();
        references_ = 0;
        records_ = 1;
        char* p = stream_.extend(kObjectBytes);
        if (!p)
            return false;
        const std::uint64_t a = address;
        std::memcpy(p, &a, 8);
        std::memcpy(p + 8, &type, 4);
        std::memcpy(p + 12, &size, 8);
        std::memcpy(p + 20, &refcount, 8);
        p[28] = static_cast<char>(flags);
        std::memcpy(p + 29, &label, 4);
        return true;
    }
    // Appends a reference to the current object. False when it cannot take more.
    bool addReference(std::uintptr_t target, std::uint32_t label = 0)
    {
        if (references_ == kMaxReferences && !continueObject())
            return false;
        char* p = stream_.extend(kReferenceBytes);
        if (!p)
            return false;
        const std::uint64_t t = target;
        std::memcpy(p, &t, 8);
        std::memcpy(p + 8, &label, 4);
        ++references_;
        return true;
    }
    // The current record's references, until the next addReference(): all of the object's unless
    // it took more than one record (continued()).
    ReferenceSpan references() { return { stream_.data() + objectStart_ + kObjectBytes, references_ }; }
    // Whether the current object's references went on in a second record.
    bool continued() const { return records_ > 1; }
    // Completes the current object's record and cuts a frame when the chunk is big enough.
    void endObject() { endRecord(); }
    // Cuts the last frames. False when memory ran out at any point.
    bool finish();

    bool failed() const { return stream_.failed() || strings_.failed() || sinkFailed_; }
    bool sinkFailed() const { return sinkFailed_; }
    std::uint64_t objects() const { return objects_; }
    std::uint64_t referenceCount() const { return referencesTotal_; }
    std::uint32_t stringsSent() const { return stringsCut_; }
    // The frames cut and not yet sent: all of them without a sink.
    const std::vector<FrameSegment>& segments() const { return segments_; }
    const char* bytesOf(const FrameSegment& s) const
    {
        return (s.fromStrings ? strings_.records().data() : stream_.data()) + s.offset;
    }

private:
    void endRecord(); // an object counts when its first record ends
    bool continueObject(); // ends a full record and starts the next of the same object
    void cut();
    void cutBefore(std::size_t end); // frames the chunk's objects that end before `end`
    void cutStrings();
    void flush(); // with a sink: sends the frames cut, then drops their bytes from the stream

    StringTable& strings_; // with a sink, the records sent are dropped from it
    FrameSink* sink_ = nullptr;
    bool sinkFailed_ = false;
    std::size_t sentBytes_ = 0; // object record bytes sent and dropped from stream_
    MappedBuffer stream_;
    std::vector<FrameSegment> segments_;
    std::size_t chunkStart_ = 0;
    std::uint32_t chunkObjects_ = 0;
    std::size_t objectStart_ = 0;
    std::uint32_t references_ = 0;
    std::uint32_t records_ = 0; // the current object's records so far
    std::uint64_t objects_ = 0;
    std::uint64_t referencesTotal_ = 0;
    std::uint32_t stringsCut_ = 0; // ids 1..stringsCut_ are in segments already
    std::size_t stringsCutBytes_ = 0; // where the records after them start in the table
};

} // namespace gcscope::agent
