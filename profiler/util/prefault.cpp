#include "util/prefault.h"

#include "util/release.h"
#include "util/thread_priority.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14
#endif

namespace gcscope::util {

namespace {
constexpr std::size_t kStep = std::size_t { 32 } << 20;
// In the background a step is smaller: stop() waits for the step under way, which a thread at the
// lowest priority on a busy machine finishes slowly (4 MiB of memory new to the host: some 8 ms of
// processor time).
constexpr std::size_t kBackgroundStep = std::size_t { 4 } << 20;

// False when the kernel does not know the advice: nothing more to try.
bool populate(char* begin, std::size_t bytes)
{
    const auto pages = wholePagesIn(begin, bytes);
    return pages.empty() || ::madvise(pages.data(), pages.size(), MADV_POPULATE_WRITE) == 0 || errno != EINVAL;
}
} // namespace

void Prefaulter::add(void* begin, std::size_t bytes, bool random)
{
    if (begin && bytes >= kStep / 8) // small arrays fault in quickly enough where they are written
        (random ? random_ : inOrder_).push_back({ static_cast<char*>(begin), bytes });
}

void Prefaulter::start(Priority priority)
{
    if (thread_.joinable() || (random_.empty() && inOrder_.empty()))
        return;
    stop_ = false;
    thread_ = std::thread([this, priority] { run(priority); });
}

void Prefaulter::stop()
{
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
    random_.clear();
    inOrder_.clear();
}

void Prefaulter::run(Priority priority)
{
    // Its own thread only, which ends with it. Should yielding fail, it populates at the caller's
    // priority, as before.
    if (priority == Priority::Background)
        yieldThisThreadTo(kLowestNice);
    const std::size_t step = priority == Priority::Background ? kBackgroundStep : kStep;
    for (const Range& r : random_)
        for (std::size_t at = 0; at < r.bytes; at += step) {
            if (stop_.load(std::memory_order_relaxed) || !populate(r.begin + at, std::min(step, r.bytes - at)))
                return;
        }
    // The arrays filled front to back, each a step of its own size at a time: all keep ahead of
    // the receiver, which fills them at the same pace.
    std::size_t largest = 0;
    for (const Range& r : inOrder_)
        largest = std::max(largest, r.bytes);
    const std::size_t steps = (largest + step - 1) / step;
    for (std::size_t s = 0; s < steps; ++s)
        for (const Range& r : inOrder_) {
            if (stop_.load(std::memory_order_relaxed))
                return;
            const std::size_t from = r.bytes * s / steps, to = r.bytes * (s + 1) / steps;
            if (to > from && !populate(r.begin + from, to - from))
                return;
        }
}

} // namespace gcscope::util
