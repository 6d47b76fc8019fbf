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

// The low bits of the links are flags (used during a collection, and in 3.14.0 to 3.14.4 for the
// old space at all times); the address is the rest.
inline GcHeader* linkTarget(std::uintptr_t link)
{
    return reinterpret_cast<GcHeader*>(link & ~static_cast<std::uintptr_t>(3));
}
inline GcHeader* nextInList(const GcHeader* h)
{
    return linkTarget(h->next);
}
inline GcHeader* previousInList(const GcHeader* h)
{
    return linkTarget(h->prev);
}

// A list head is sound when its neighbours point back at it. Head is GcHeader, or a form's own
// PyGC_Head (the same two words).
template <typename Head> bool listHeadIsSound(const Head* head)
{
    static_assert(sizeof(Head) == sizeof(GcHeader), "a list head is the two words of a GC header");
    const auto* h = reinterpret_cast<const GcHeader*>(head);
    const GcHeader* next = nextInList(h);
    const GcHeader* prev = previousInList(h);
    return next && prev && previousInList(next) == h && nextInList(prev) == h;
}

} // namespace gcscope::agent
