#include "python_compat.h"

#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <dlfcn.h>

namespace gcscope::agent {

namespace {

// "3.10.13 (main, ...)" -> 0x030a0d00: enough to name the version in the refusal.
std::uint32_t parseVersionString(const char* s)
{
    int major = 0, minor = 0, micro = 0;
    if (!s || std::sscanf(s, "%d.%d.%d", &major, &minor, &micro) < 2)
        return 0;
    return (static_cast<std::uint32_t>(major & 0xff) << 24) | (static_cast<std::uint32_t>(minor & 0xff) << 16)
        | (static_cast<std::uint32_t>(micro & 0xff) << 8);
}

// UTF-8 for a path the interpreter decoded with the filesystem encoding: lone surrogates
// U+DC80..U+DCFF stand for undecodable bytes (surrogateescape) and become those bytes again.
std::string pathToUtf8(const wchar_t* w)
{
    std::string out;
    for (; *w; ++w) {
        auto c = static_cast<std::uint32_t>(*w);
        if (c >= 0xdc80 && c <= 0xdcff) {
            out += static_cast<char>(c - 0xdc00);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xc0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xe0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c < 0x110000) {
            out += static_cast<char>(0xf0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    return out;
}

} // namespace

RuntimeVersion readRuntimeVersion()
{
    RuntimeVersion v;
    if (auto* constant = static_cast<const unsigned long*>(dlsym(RTLD_DEFAULT, "Py_Version")))
        v.hex = static_cast<std::uint32_t>(*constant);
    else if (auto* getVersion = reinterpret_cast<const char* (*)()>(dlsym(RTLD_DEFAULT, "Py_GetVersion")))
        v.hex = parseVersionString(getVersion());
    v.major = static_cast<int>((v.hex >> 24) & 0xff);
    v.minor = static_cast<int>((v.hex >> 16) & 0xff);
    v.micro = static_cast<int>((v.hex >> 8) & 0xff);
    return v;
}

std::string unsupportedRuntimeMessage(const RuntimeVersion& v)
{
    if (v.hex == 0)
        return "no CPython runtime found in this process (Py_Version and Py_GetVersion are missing)";
    char text[160];
    std::snprintf(text, sizeof text, "Python %d.%d.%d is not the version this agent was built for (%s)", v.major,
        v.minor, v.micro, agentForm());
    return text;
}

std::string executablePathWithoutGil()
{
    // 3.11's Py_GetProgramFullPath() only returns a global set during initialisation.
    auto* fullPath = reinterpret_cast<wchar_t* (*)()>(dlsym(RTLD_DEFAULT, "Py_GetProgramFullPath"));
    auto* initialized = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "Py_IsInitialized"));
    if (!fullPath || !initialized || !initialized())
        return {};
    const wchar_t* path = fullPath();
    return path ? pathToUtf8(path) : std::string {};
}

} // namespace gcscope::agent
