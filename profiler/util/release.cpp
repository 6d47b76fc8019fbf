#include "util/release.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace gcscope::util {

void releasePages(void* begin, std::size_t bytes)
{
    if (!begin || bytes == 0)
        return;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto from = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) & ~(page - 1);
    const auto to = (reinterpret_cast<std::uintptr_t>(begin) + bytes) & ~(page - 1);
    if (to > from)
        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED); // a hint: failure costs memory only
}

} // namespace gcscope::util
