// A snapshot's strings by id, packed: one byte buffer and one offset per string.
//
// A 10M-object heap has about 10M labels (str previews, numbers). As std::string each costs 32
// bytes before its text (313 MiB there); packed, 8 bytes plus the text (150 MiB). Strings are added
// in id order and never change; [i] gives a view that stays valid until the table is changed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::storage {

class StringTable {
public:
    StringTable() = default;
    StringTable(std::initializer_list<std::string_view> texts)
    {
        for (std::string_view text : texts)
            push_back(text);
    }

    std::size_t size() const { return end_.size(); }
    bool empty() const { return end_.empty(); }
    std::uint64_t byteCount() const { return bytes_.size(); }

    std::string_view operator[](std::size_t id) const
    {
        const std::uint64_t begin = id == 0 ? 0 : end_[id - 1];
        return { bytes_.data() + begin, static_cast<std::size_t>(end_[id] - begin) };
    }
    std::string_view at(std::size_t id) const
    {
        if (id >= size())
            throw std::out_of_range("string id " + std::to_string(id) + " of " + std::to_string(size()));
        return (*this)[id];
    }

    void push_back(std::string_view text)
    {
        bytes_.append(text);
        end_.push_back(bytes_.size());
    }
    void reserve(std::size_t strings, std::uint64_t bytes)
    {
        end_.reserve(strings);
        bytes_.reserve(bytes);
    }
    void clear()
    {
        end_.clear();
        bytes_.clear();
    }

    bool operator==(const StringTable& other) const { return end_ == other.end_ && bytes_ == other.bytes_; }

private:
    std::vector<std::uint64_t> end_; // per string: where it ends in bytes_ (it begins where the one before ends)
    std::string bytes_;
};

} // namespace gcscope::storage
