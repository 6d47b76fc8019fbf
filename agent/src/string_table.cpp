#include "string_table.h"

#include <gcscope/wire.h>

#include <cstring>

namespace gcscope::agent {

namespace {

// Word-at-a-time multiply-xorshift: the strings are short, this only spreads them over the index.
// Never 0, which marks strings that are not in the index.
std::uint32_t hashOf(std::string_view text)
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ text.size();
    const char* p = text.data();
    std::size_t n = text.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        h = (h ^ word) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 32;
    return static_cast<std::uint32_t>(h) | 1u;
}

} // namespace

std::string_view StringTable::textOf(std::uint32_t id) const
{
    const char* record = records_.data() + starts_[id - 1];
    std::uint32_t length;
    std::memcpy(&length, record, 4);
    return { record + 4, length };
}

bool StringTable::growIndex()
{
    const std::size_t capacity = index_.size() ? index_.size() * 2 : 4096;
    MappedArray<std::uint32_t> index;
    if (!index.assignZeroed(capacity))
        return false;
    const std::size_t mask = capacity - 1;
    for (std::uint32_t id = 1; id <= count(); ++id) {
        if (hashes_[id - 1] == 0)
            continue;
        std::size_t i = hashes_[id - 1] & mask;
        while (index[i] != 0)
            i = (i + 1) & mask;
        index[i] = id;
    }
    index_ = std::move(index);
    mask_ = mask;
    return true;
}

void StringTable::prepare(std::size_t bytes, std::size_t count)
{
    records_.prefault(bytes);
    starts_.prefault(count);
    hashes_.prefault(count);
}

std::uint32_t StringTable::append(std::string_view text, std::uint32_t hash)
{
    const std::uint64_t start = records_.size();
    char* record = records_.extend(4 + text.size());
    if (!record || !starts_.push_back(start) || !hashes_.push_back(hash)) {
        failed_ = true;
        return 0;
    }
    const auto length = static_cast<std::uint32_t>(text.size());
    std::memcpy(record, &length, 4); // little-endian host: the wire's u32
    std::memcpy(record + 4, text.data(), text.size());
    return count();
}

std::uint32_t StringTable::add(std::string_view text)
{
    if (text.empty() || failed_)
        return 0;
    return append(text.substr(0, wire::kMaxString), 0);
}

std::uint32_t StringTable::intern(std::string_view text)
{
    if (text.empty() || failed_)
        return 0;
    if (text.size() > wire::kMaxString)
        text = text.substr(0, wire::kMaxString); // callers keep labels far shorter
    if ((indexed_ + 1) * 2 > index_.size() && !growIndex()) {
        failed_ = true;
        return 0;
    }
    const std::uint32_t hash = hashOf(text);
    std::size_t i = hash & mask_;
    for (; index_[i] != 0; i = (i + 1) & mask_) {
        const std::uint32_t id = index_[i];
        if (hashes_[id - 1] == hash && textOf(id) == text)
            return id;
    }
    const std::uint32_t id = append(text, hash);
    if (id) {
        index_[i] = id;
        ++indexed_;
    }
    return id;
}

} // namespace gcscope::agent
