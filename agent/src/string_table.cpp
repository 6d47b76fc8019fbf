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

// Writes `text`'s record into `to`.
bool appendRecord(MappedBuffer& to, std::string_view text)
{
    char* record = to.extend(4 + text.size());
    if (!record)
        return false;
    const auto length = static_cast<std::uint32_t>(text.size());
    std::memcpy(record, &length, 4); // little-endian host: the wire's u32
    std::memcpy(record + 4, text.data(), text.size());
    return true;
}

} // namespace

std::string_view StringTable::internedText(const Slot& slot) const
{
    const char* record = interned_.data() + slot.offset;
    std::uint32_t length;
    std::memcpy(&length, record, 4);
    return { record + 4, length };
}

std::size_t StringTable::recordBytesAt(std::size_t offset) const
{
    std::uint32_t length;
    std::memcpy(&length, records_.data() + offset, 4);
    return 4 + std::size_t { length };
}

void StringTable::dropSent(std::size_t offset)
{
    if (offset > records_.size())
        return;
    records_.dropFront(offset);
    droppedBytes_ += offset;
}

bool StringTable::growIndex()
{
    const std::size_t capacity = index_.size() ? index_.size() * 2 : 4096;
    MappedArray<Slot> index;
    if (!index.assignZeroed(capacity))
        return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t j = 0; j < index_.size(); ++j) {
        const Slot& slot = index_[j];
        if (slot.id == 0)
            continue;
        std::size_t i = slot.hash & mask;
        while (index[i].id != 0)
            i = (i + 1) & mask;
        index[i] = slot;
    }
    index_ = std::move(index);
    mask_ = mask;
    return true;
}

void StringTable::prepare(std::size_t bytes)
{
    records_.prefault(bytes);
}

std::uint32_t StringTable::append(std::string_view text)
{
    if (!appendRecord(records_, text)) {
        failed_ = true;
        return 0;
    }
    return ++count_;
}

std::uint32_t StringTable::add(std::string_view text)
{
    if (text.empty() || failed_)
        return 0;
    return append(text.substr(0, wire::kMaxString));
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
    for (; index_[i].id != 0; i = (i + 1) & mask_) {
        const Slot& slot = index_[i];
        if (slot.hash == hash && internedText(slot) == text)
            return slot.id;
    }
    const std::uint64_t offset = interned_.size();
    if (!appendRecord(interned_, text)) {
        failed_ = true;
        return 0;
    }
    const std::uint32_t id = append(text);
    if (id) {
        index_[i] = Slot { id, hash, offset };
        ++indexed_;
    }
    return id;
}

} // namespace gcscope::agent
