#include "mapped_buffer.h"

#include <sys/mman.h>

namespace gcscope::agent {

namespace {

constexpr std::size_t kMinimumCapacity = 64 * 1024;
constexpr std::size_t kPage = 4096;
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older kernels refuse it and the pages fault on use
#endif

// A plain file-local flag, not an inline member: an inline variable would be a unique symbol, which
// keeps the library from ever being unloaded from the target.
bool hugePagesAlways = false;

std::size_t roundUp(std::size_t n, std::size_t to)
{
    return (n + to - 1) / to * to;
}

} // namespace

void MappedBuffer::askHugePagesAlways()
{
    hugePagesAlways = true;
}

bool MappedBuffer::reserve(std::size_t bytes, bool prefault, bool hugePages)
{
    if (bytes <= capacity_)
        return true;
    if (failed_ || !remap(bytes, prefault, hugePages)) {
        failed_ = true;
        return false;
    }
    return true;
}

bool MappedBuffer::remap(std::size_t bytes, bool prefault, bool hugePages)
{
    if (bytes <= capacity_)
        return true;
    const std::size_t capacity = roundUp(bytes < kMinimumCapacity ? kMinimumCapacity : bytes, kPage);
    hugePages = hugePages || hugePagesAlways;
    void* p;
    if (data_) {
        p = mremap(data_, capacity_, capacity, MREMAP_MAYMOVE);
        if (p != MAP_FAILED && hugePagesAlways)
            madvise(p, capacity, MADV_HUGEPAGE); // a buffer made before the clone, grown in the child
        if (p != MAP_FAILED && prefault)
            madvise(static_cast<char*>(p) + capacity_, capacity - capacity_, MADV_POPULATE_WRITE);
    } else {
        p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED && hugePages)
            madvise(p, capacity, MADV_HUGEPAGE); // a hint: without THP it changes nothing
        if (p != MAP_FAILED && prefault)
            madvise(p, capacity, MADV_POPULATE_WRITE);
    }
    if (p == MAP_FAILED)
        return false;
    data_ = static_cast<char*>(p);
    capacity_ = capacity;
    return true;
}

char* MappedBuffer::extendSlow(std::size_t n)
{
    std::size_t wanted = size_ + n;
    if (wanted < size_ || !reserve(wanted > capacity_ * 2 ? wanted : capacity_ * 2))
        return nullptr;
    char* p = data_ + size_;
    size_ += n;
    return p;
}

void MappedBuffer::release()
{
    if (data_)
        munmap(data_, capacity_);
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
}

} // namespace gcscope::agent
