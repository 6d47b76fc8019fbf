#include "self_maps.h"

#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

std::uintptr_t hexNumber(const char*& p, const char* end)
{
    std::uintptr_t n = 0;
    for (; p < end; ++p) {
        const char c = *p;
        if (c >= '0' && c <= '9')
            n = n * 16 + static_cast<std::uintptr_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            n = n * 16 + static_cast<std::uintptr_t>(c - 'a' + 10);
        else
            break;
    }
    return n;
}

// One line of /proc/self/maps: "begin-end perms offset dev inode [path]". True for a private
// writable mapping of no file (inode 0): the heap, anonymous mappings, stacks.
bool privateAnonymous(const char* line, const char* end, std::uintptr_t& begin, std::uintptr_t& last)
{
    const char* p = line;
    begin = hexNumber(p, end);
    if (p == end || *p != '-')
        return false;
    ++p;
    last = hexNumber(p, end);
    if (end - p < 6 || std::memcmp(p, " rw-p ", 6) != 0)
        return false;
    p += 6;
    for (int field = 0; field < 2; ++field) { // offset, dev
        while (p < end && *p != ' ')
            ++p;
        while (p < end && *p == ' ')
            ++p;
    }
    return p < end && *p == '0' && (p + 1 == end || p[1] == ' ');
}

} // namespace

bool forEachPrivateAnonymousMapping(MappingVisitor visit, void* context)
{
    const int maps = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (maps < 0)
        return false;
    // Read a buffer at a time; a line cut at its end is carried to the front of the next.
    char text[8192];
    std::size_t held = 0;
    bool going = true;
    while (going) {
        const ssize_t got = ::read(maps, text + held, sizeof text - held);
        if (got <= 0)
            break;
        held += static_cast<std::size_t>(got);
        std::size_t start = 0;
        for (std::size_t i = 0; i < held && going; ++i) {
            if (text[i] != '\n')
                continue;
            std::uintptr_t first = 0, last = 0;
            if (privateAnonymous(text + start, text + i, first, last) && last > first)
                going = visit(first, last, context);
            start = i + 1;
        }
        if (start == 0 && held == sizeof text)
            break; // a line longer than the buffer: not /proc/self/maps as we know it
        std::memmove(text, text + start, held - start);
        held -= start;
    }
    ::close(maps);
    return true;
}

} // namespace gcscope::agent
