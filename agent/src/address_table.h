// Object addresses to small values, for the heap walk: which leaves were already queued, which
// objects gc.freeze() put away, which string id labels a dict key. Open addressing with linear
// probing on mapped memory, key and value side by side (one cache miss per lookup); addresses are
// never 0 and nothing is ever removed.
#pragma once

#include "mapped_buffer.h"

#include <cstdint>

namespace gcscope::agent {

class AddressTable {
public:
    // A hint, for an empty table: room for `count` keys without growing, faulted in now.
    void prepare(std::size_t count);

    // Inserts `key` with `value` unless present; `inserted` says which. False only when memory ran out.
    bool insert(std::uintptr_t key, std::uint32_t value, bool& inserted)
    {
        if ((count_ + 1) * 2 > slots_.size() && !grow((count_ + 1) * 2))
            return false;
        std::size_t i = slotOf(key);
        while (slots_[i].key != 0) {
            if (slots_[i].key == key) {
                inserted = false;
                return true;
            }
            i = (i + 1) & mask_;
        }
        slots_[i] = { key, value };
        ++count_;
        inserted = true;
        return true;
    }

    // The value stored for `key`, or null.
    const std::uint32_t* find(std::uintptr_t key) const
    {
        if (count_ == 0)
            return nullptr;
        for (std::size_t i = slotOf(key);; i = (i + 1) & mask_) {
            if (slots_[i].key == key)
                return &slots_[i].value;
            if (slots_[i].key == 0)
                return nullptr;
        }
    }
    bool contains(std::uintptr_t key) const { return find(key) != nullptr; }

    // Starts loading the cache line a later insert() or find() of `key` will look at first.
    // No test for an empty table around it: GCC 12 drops a prefetch that is alone in a branch, and
    // a prefetch of a bad address is harmless. A read hint: a write hint needs -mprfchw.
    void prefetch(std::uintptr_t key) const { __builtin_prefetch(slots_.data() + slotOf(key)); }

    std::size_t size() const { return count_; }

private:
    struct Slot {
        std::uintptr_t key;
        std::uint32_t value;
    };

    std::size_t slotOf(std::uintptr_t key) const
    {
        // Fibonacci hashing of the address without its alignment bits; the high bits are the best mixed.
        return static_cast<std::size_t>(((key >> 4) * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    bool grow(std::size_t atLeast, bool prefault = false);

    MappedArray<Slot> slots_;
    std::size_t count_ = 0;
    std::size_t mask_ = 0;
    unsigned shift_ = 63; // 64 - log2(capacity) once there is a table; 63 keeps prefetch() defined before
};

} // namespace gcscope::agent
