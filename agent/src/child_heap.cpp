#include "child_heap.h"

#include <cstdint>
#include <sys/mman.h>

namespace gcscope::agent::child_heap {

namespace {

constexpr std::size_t kChunk = 16u << 20;
constexpr std::size_t kAlign = 16;

bool active_ = false;
char* next_ = nullptr;
char* end_ = nullptr;

} // namespace

void activate()
{
    active_ = true;
}

bool active()
{
    return active_;
}

void* allocate(std::size_t size)
{
    size = (size + kAlign - 1) & ~(kAlign - 1);
    if (size == 0)
        size = kAlign;
    if (static_cast<std::size_t>(end_ - next_) < size) {
        const std::size_t chunk = size > kChunk ? size : kChunk;
        void* p = mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return nullptr;
        next_ = static_cast<char*>(p);
        end_ = next_ + chunk;
    }
    void* out = next_;
    next_ += size;
    return out;
}

} // namespace gcscope::agent::child_heap
