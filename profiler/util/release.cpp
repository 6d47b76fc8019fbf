#include "util/release.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace gcscope::util {

std::span<char> wholePagesIn(void* begin, std::size_t bytes)
{
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto from = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) & ~(page - 1);
    const auto to = (reinterpret_cast<std::uintptr_t>(begin) + bytes) & ~(page - 1);
    if (!begin || to <= from)
        return {};
    return { reinterpret_cast<char*>(from), to - from };
}

void releasePages(void* begin, std::size_t bytes)
{
    if (const auto pages = wholePagesIn(begin, bytes); !pages.empty())
        ::madvise(pages.data(), pages.size(), MADV_DONTNEED); // a hint: failure costs memory only
}

} // namespace gcscope::util
