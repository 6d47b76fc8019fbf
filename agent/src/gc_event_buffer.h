// Finished collections waiting to be sent. Filled by the collection callback on whichever target
// thread collects (GIL held), drained by the agent thread. Fixed capacity so the callback never
// allocates; what does not fit is counted as dropped.
#pragma once

#include <gcscope/wire.h>

#include <cstddef>
#include <cstdint>
#include <pthread.h>

namespace gcscope::agent {

class GcEventBuffer {
public:
    static constexpr std::size_t kCapacity = 8192;

    void push(const wire::GcEventRecord& event);
    // Moves the buffered events (and the drop count) out and empties the buffer.
    wire::GcEventsRecord drain();
    void clear();
    // In a forked child the agent thread is gone and may have held the mutex at fork time.
    void reinitialiseAfterFork();

private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
    wire::GcEventRecord events_[kCapacity] {};
    std::size_t size_ = 0;
    std::uint64_t dropped_ = 0;
};

} // namespace gcscope::agent
