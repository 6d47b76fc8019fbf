// Reads one of the collector's object lists a few nodes ahead of its consumer. A linked list gives
// the next address only once the current node is in cache, so a plain walk waits for memory at
// every object; here the node the consumer takes next was asked for kAhead objects earlier, and the
// only read that can wait is that of the newest node's link, asked for one object earlier. Half way
// there, once its header is in cache, the memory its traversal reads next is asked for too.
#pragma once

#include "object_prefetch.h"
#include "python_compat.h"

#include <cstddef>

namespace gcscope::agent {

class GcListCursor {
public:
    explicit GcListCursor(GcHeader* head)
        : head_(head)
        , newest_(head)
    {
        while (pending_ < kAhead && advance()) { }
    }

    // The next object of the list, or null at its end.
    PyObject* next()
    {
        if (pending_ == 0)
            return nullptr;
        GcHeader* h = ring_[first_];
        first_ = (first_ + 1) % kAhead;
        --pending_;
        advance();
        if (pending_ > kHalfway)
            prefetchObjectBody(objectOf(ring_[(first_ + kHalfway) % kAhead]));
        return objectOf(h);
    }

private:
    static constexpr std::size_t kAhead = 12;
    static constexpr std::size_t kHalfway = kAhead / 2;

    bool advance()
    {
        GcHeader* n = nextInList(newest_);
        if (n == head_)
            return false;
        // From the managed-dict pre-header (two words before the header: a class instance's
        // attribute values) to the object's type: 48 bytes, at most two cache lines.
        __builtin_prefetch(reinterpret_cast<const char*>(n) - 2 * sizeof(void*));
        __builtin_prefetch(reinterpret_cast<const char*>(n) + sizeof(GcHeader) + sizeof(PyObject) - 1);
        ring_[(first_ + pending_) % kAhead] = n;
        ++pending_;
        newest_ = n;
        return true;
    }

    GcHeader* head_;
    GcHeader* newest_;
    GcHeader* ring_[kAhead] {};
    std::size_t first_ = 0;
    std::size_t pending_ = 0;
};

} // namespace gcscope::agent
