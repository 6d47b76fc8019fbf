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

bool runtimeIsSupported(const RuntimeVersion& v)
{
    return v.major == 3 && v.minor == 11;
}

std::string unsupportedRuntimeMessage(const RuntimeVersion& v)
{
    if (v.hex == 0)
        return "no CPython runtime found in this process (Py_Version and Py_GetVersion are missing)";
    char text[128];
    std::snprintf(
        text, sizeof text, "Python %d.%d.%d is not supported by this agent (3.11 only)", v.major, v.minor, v.micro);
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

// int.__sizeof__: the digits in use, at least one (zero owns a digit too).
std::size_t intSizeof(PyObject* o)
{
    return intSizeofDigits(static_cast<std::size_t>(std::labs(Py_SIZE(o))));
}

// str.__sizeof__ with 3.11's representations: compact ASCII, compact, and the legacy two-block
// form (which str subclasses use), plus the wchar_t and UTF-8 caches when they own memory.
std::size_t strSizeof(PyObject* o)
{
    auto* ascii = reinterpret_cast<PyASCIIObject*>(o);
    auto* compact = reinterpret_cast<PyCompactUnicodeObject*>(o);
    const bool compactAscii = ascii->state.compact && ascii->state.ascii;
    const std::size_t length = static_cast<std::size_t>(ascii->length);
    const std::size_t kind = ascii->state.kind;
    const void* data = nullptr;
    std::size_t size;
    if (compactAscii) {
        size = sizeof(PyASCIIObject) + length + 1;
        data = ascii + 1;
    } else if (ascii->state.compact) {
        size = sizeof(PyCompactUnicodeObject) + (length + 1) * kind;
        data = compact + 1;
    } else {
        size = sizeof(PyUnicodeObject);
        data = reinterpret_cast<PyUnicodeObject*>(o)->data.any;
        if (data)
            size += (length + 1) * kind;
    }
    if (ascii->wstr && (!ascii->state.ready || ascii->wstr != data)) {
        std::size_t wstrLength = compactAscii ? length : static_cast<std::size_t>(compact->wstr_length);
        size += (wstrLength + 1) * sizeof(wchar_t);
    }
    if (!compactAscii && compact->utf8 && compact->utf8 != data)
        size += static_cast<std::size_t>(compact->utf8_length) + 1;
    return size;
}

} // namespace gcscope::agent
