#include "address_table.h"

#include <utility>

namespace gcscope::agent {

void AddressTable::prepare(std::size_t count)
{
    if (count_ == 0 && count * 2 > slots_.size())
        grow(count * 2, true);
}

bool AddressTable::grow(std::size_t atLeast, bool prefault)
{
    std::size_t capacity = slots_.size() ? slots_.size() * 2 : 1024;
    while (capacity < atLeast)
        capacity *= 2;
    unsigned shift = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1)
        --shift;
    MappedArray<Slot> slots;
    if (!slots.assignZeroed(capacity, prefault, prefault)) // prepared ahead: huge pages, few TLB misses
        return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t j = 0; j < slots_.size(); ++j) {
        const Slot& slot = slots_[j];
        if (slot.key == 0)
            continue;
        std::size_t i = static_cast<std::size_t>(((slot.key >> 4) * 0x9E3779B97F4A7C15ull) >> shift);
        while (slots[i].key != 0)
            i = (i + 1) & mask;
        slots[i] = slot;
    }
    slots_ = std::move(slots);
    mask_ = mask;
    shift_ = shift;
    return true;
}

} // namespace gcscope::agent
