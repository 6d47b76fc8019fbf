// snapshot_label_chunks.data (schema 6): the strings a snapshot uses only as object labels, up to
// kLabelChunkStrings of them with increasing ids in one blob. Per string, in order:
//
//   "<gap>,<length>," then its UTF-8 bytes
//
// gap: the string's id less the previous one's (the first's less the row's first_id, so 0);
// length: its bytes; both in decimal ASCII, so that plain SQL reads them (the
// snapshot_string_list view does). A snapshot of millions of objects has about as many labels:
// stored as rows of snapshot_strings they took longer than everything else of the snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace gcscope::storage {

inline constexpr std::uint32_t kLabelChunkStrings = 256;
// A chunk is cut once its blob is this big: small enough that the view, which reads a row's whole
// blob for each of its strings, stays usable.
inline constexpr std::size_t kLabelChunkBytes = 8 * 1024;

class LabelChunkBuilder {
public:
    // ids must increase within a chunk.
    void add(std::uint32_t id, std::string_view text);
    std::uint32_t strings() const { return strings_; }
    std::uint32_t firstId() const { return firstId_; }
    bool full() const { return strings_ >= kLabelChunkStrings || blob_.size() >= kLabelChunkBytes; }
    // The chunk's blob, valid until the next add(); the builder is empty again.
    const std::vector<unsigned char>& finish();

private:
    std::uint32_t strings_ = 0;
    std::uint32_t firstId_ = 0;
    std::uint32_t lastId_ = 0;
    std::vector<unsigned char> blob_;
};

// Reads a chunk of `strings` strings whose first id is firstId: calls visit(id, text) for each.
// False when the blob does not hold exactly that (a field that is not a number, a length past
// its end, ids that do not increase or pass 2^32 - 1, bytes left over).
template <typename Visit>
bool readLabelChunk(std::uint32_t firstId, std::uint32_t strings, std::span<const unsigned char> blob, Visit&& visit)
{
    std::size_t at = 0;
    const auto number = [&](std::uint64_t& value) {
        value = 0;
        std::size_t digits = 0;
        for (; at < blob.size() && blob[at] != ','; ++at, ++digits) {
            if (blob[at] < '0' || blob[at] > '9' || digits == 10)
                return false;
            value = value * 10 + (blob[at] - '0');
        }
        if (at == blob.size() || digits == 0)
            return false;
        ++at; // the comma
        return true;
    };
    std::uint64_t id = firstId;
    for (std::uint32_t i = 0; i < strings; ++i) {
        std::uint64_t gap = 0, length = 0;
        if (!number(gap) || !number(length) || (i > 0 && gap == 0) || (i == 0 && gap != 0))
            return false;
        id += gap;
        if (id > UINT32_MAX || length > blob.size() - at)
            return false;
        visit(static_cast<std::uint32_t>(id),
            std::string_view(reinterpret_cast<const char*>(blob.data() + at), static_cast<std::size_t>(length)));
        at += static_cast<std::size_t>(length);
    }
    return at == blob.size();
}

} // namespace gcscope::storage
