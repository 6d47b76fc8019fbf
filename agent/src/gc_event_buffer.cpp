#include "gc_event_buffer.h"

namespace gcscope::agent {

void GcEventBuffer::push(const wire::GcEventRecord& event)
{
    pthread_mutex_lock(&mutex_);
    if (size_ < kCapacity)
        events_[size_++] = event;
    else
        ++dropped_;
    pthread_mutex_unlock(&mutex_);
}

wire::GcEventsRecord GcEventBuffer::drain()
{
    wire::GcEventsRecord out;
    pthread_mutex_lock(&mutex_);
    out.events.assign(events_, events_ + size_);
    out.dropped = dropped_;
    size_ = 0;
    dropped_ = 0;
    pthread_mutex_unlock(&mutex_);
    return out;
}

void GcEventBuffer::clear()
{
    pthread_mutex_lock(&mutex_);
    size_ = 0;
    dropped_ = 0;
    pthread_mutex_unlock(&mutex_);
}

void GcEventBuffer::reinitialiseAfterFork()
{
    pthread_mutex_init(&mutex_, nullptr);
    size_ = 0;
    dropped_ = 0;
}

} // namespace gcscope::agent
