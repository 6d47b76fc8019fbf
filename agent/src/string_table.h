// The heap snapshot's string table: type names, object labels and edge labels, each stored once and
// numbered from 1 in order of first use (id 0 is "" and never stored). The strings are kept in
// their SnapshotStrings wire form (u32 length + bytes, in id order), so any run of ids goes out as
// one slice of records().
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

    // Room for `bytes` of records and `count` strings, faulted in now.
    void prepare(std::size_t bytes, std::size_t count);

    std::uint32_t count() const { return static_cast<std::uint32_t>(starts_.size()); } // ids 1..count()
    // Where id's record starts in records(); offsetOf(count() + 1) is the end of the last one.
    std::size_t offsetOf(std::uint32_t id) const { return id <= count() ? starts_[id - 1] : records_.size(); }
    const MappedBuffer& records() const { return records_; }
    bool failed() const { return failed_; }

private:
    std::string_view textOf(std::uint32_t id) const;
    bool growIndex();
    std::uint32_t append(std::string_view text, std::uint32_t hash);

    MappedBuffer records_;
    MappedArray<std::uint64_t> starts_; // starts_[id - 1]: offset of id's record
    MappedArray<std::uint32_t> hashes_; // hashes_[id - 1]; 0 for strings add()ed (never found by intern())
    MappedArray<std::uint32_t> index_; // open addressing over the intern()ed ids, 0 = empty
    std::uint32_t indexed_ = 0;
    std::size_t mask_ = 0;
    bool failed_ = false;
};

} // namespace gcscope::agent
