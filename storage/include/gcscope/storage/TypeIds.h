// A snapshot string id that names a type -> a value its user makes once (the graph's type index
// for the receiver and the loader, the position of the type's totals for SnapshotWriter). Type
// names sit among the labels in a snapshot's string table, so their ids run as high as the table
// (10M strings at 10M objects): a vector indexed by string id would be that long, and written
// through, for a few hundred entries. An open-addressing table of them stays in cache instead.
#pragma once

#include <cstdint>
#include <vector>

namespace gcscope::storage {

class TypeIds {
public:
    // The value of string id `id`, made by `intern(id)` the first time it is asked for.
    template <class Intern> std::uint32_t of(std::uint32_t id, Intern&& intern)
    {
        const std::uint64_t key = std::uint64_t { id } + 1;
        if (!keys_.empty()) {
            const std::size_t at = slotOf(key);
            if (keys_[at] == key)
                return values_[at];
        }
        const std::uint32_t value = intern(id);
        if (2 * (count_ + 1) > keys_.size())
            grow();
        const std::size_t at = slotOf(key);
        keys_[at] = key;
        values_[at] = value;
        ++count_;
        return value;
    }

private:
    std::size_t slotOf(std::uint64_t key) const
    {
        const std::size_t mask = keys_.size() - 1;
        std::size_t at = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
        while (keys_[at] != 0 && keys_[at] != key)
            at = (at + 1) & mask;
        return at;
    }
    void grow()
    {
        std::vector<std::uint64_t> keys(keys_.empty() ? 64 : 2 * keys_.size(), 0);
        std::vector<std::uint32_t> values(keys.size(), 0);
        keys.swap(keys_);
        values.swap(values_);
        for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i] != 0) {
                const std::size_t at = slotOf(keys[i]);
                keys_[at] = keys[i];
                values_[at] = values[i];
            }
    }

    std::vector<std::uint64_t> keys_; // string id + 1; 0: empty
    std::vector<std::uint32_t> values_;
    std::size_t count_ = 0;
};

} // namespace gcscope::storage
