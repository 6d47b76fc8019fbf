// PyGC_Head: the two words in front of every GC object, the same shape in every GIL build from 3.11
// to 3.15. Each form says how it tells a tracked object (gcHeaderIsTracked).
#pragma once

#include <cstdint>

namespace gcscope::agent {

// `next` is 0 while untracked.
struct GcHeader {
    std::uintptr_t next;
    std::uintptr_t prev;
};

// The low bits of the links are flags used during a collection; the address is the rest.
inline GcHeader* nextInList(GcHeader* h)
{
    return reinterpret_cast<GcHeader*>(h->next & ~static_cast<std::uintptr_t>(3));
}

} // namespace gcscope::agent
