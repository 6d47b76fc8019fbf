// The heap snapshot's string table: type names, object labels and edge labels, numbered from 1 in
// order of first use (id 0 is "" and never stored). The strings wait in their SnapshotStrings wire
// form (u32 length + bytes, in id order), so any run of them goes out as one slice of records().
//
// Most strings are values (a str's preview, a number: one per immutable leaf, added without
// looking for an equal one); the rest (type names, attribute names) are interned, found again by
// their text. Interned strings are also kept apart, with their hash and place in the index, so that
// a streaming encoder can drop the records it has sent (dropSent): a snapshot child then holds
// about a frame's worth of records instead of every label of the heap (about 23 bytes per leaf:
// 225 of the child's 290 MiB at 10M tracked objects).
#pragma once

#include "mapped_buffer.h"

#include <cstdint>
#include <string_view>

namespace gcscope::agent {

class StringTable {
public:
    // The id of `text`, added if new. "" is 0; so is every string once memory ran out (failed()).
    std::uint32_t intern(std::string_view text);
    // A new id for `text` without looking for an equal string: for values (a str's preview, a
    // number), nearly all different, where the lookup would be a cache miss per object for nothing.
    std::uint32_t add(std::string_view text);

    // Room for `bytes` of records, faulted in now.
    void prepare(std::size_t bytes);

    std::uint32_t count() const { return count_; } // ids 1..count()
    // The records not dropped, in id order: the last ones added.
    const MappedBuffer& records() const { return records_; }
    // The size of the record at `offset` in records().
    std::size_t recordBytesAt(std::size_t offset) const;
    // Drops the records before `offset` (where a record starts): they were sent. The rest moves to
    // the front of records().
    void dropSent(std::size_t offset);
    // Every record's bytes so far, dropped or not.
    std::size_t recordBytes() const { return droppedBytes_ + records_.size(); }
    bool failed() const { return failed_; }

private:
    struct Slot {
        std::uint32_t id; // 0: empty
        std::uint32_t hash;
        std::uint64_t offset; // of its record in interned_
    };
    std::string_view internedText(const Slot& slot) const;
    bool growIndex();
    std::uint32_t append(std::string_view text);

    MappedBuffer records_;
    MappedBuffer interned_; // the interned strings' records, never dropped
    MappedArray<Slot> index_; // open addressing over the interned ids
    std::uint32_t indexed_ = 0;
    std::size_t mask_ = 0;
    std::uint32_t count_ = 0;
    std::size_t droppedBytes_ = 0;
    bool failed_ = false;
};

} // namespace gcscope::agent
