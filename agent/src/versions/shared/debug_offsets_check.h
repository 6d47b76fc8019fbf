// The run-time half of an exact form's layout check (3.13+): the running interpreter publishes the
// offsets of its own structures at the start of _PyRuntime (_Py_DebugOffsets, for out-of-process
// debuggers); each must equal what this build was compiled with. Included by a version's
// version_layout.cpp after its internal headers, so the expected values are that version's own.
// A form whose list of checks fails refuses the snapshot with one line and touches nothing.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <string>

namespace gcscope::agent::shared {

struct OffsetCheck {
    const char* name;
    std::uint64_t published;
    std::uint64_t compiled;
};

// `checks` from GCSCOPE_DEBUG_OFFSET_CHECKS of the version; false with the first disagreement.
template <std::size_t N>
bool debugOffsetsAgree(const _Py_DebugOffsets& d, const OffsetCheck (&checks)[N], std::string& error)
{
    if (std::memcmp(d.cookie, "xdebugpy", 8) != 0) {
        error = "the interpreter publishes no debug offsets (_PyRuntime does not start with them)";
        return false;
    }
    if ((d.version >> 16) != (PY_VERSION_HEX >> 16)) {
        char text[120];
        std::snprintf(text, sizeof text, "the interpreter is version %llx, not the one this agent was built for",
            static_cast<unsigned long long>(d.version));
        error = text;
        return false;
    }
    if (d.free_threaded) {
        error = "the interpreter is a free-threaded build";
        return false;
    }
    for (const OffsetCheck& c : checks) {
        if (c.published != c.compiled) {
            char text[200];
            std::snprintf(text, sizeof text,
                "this interpreter's layout differs from the one the agent was built for (%s is %llu, expected %llu)",
                c.name, static_cast<unsigned long long>(c.published), static_cast<unsigned long long>(c.compiled));
            error = text;
            return false;
        }
    }
    return true;
}

} // namespace gcscope::agent::shared

// One check: a field of _Py_DebugOffsets against the offsetof() this build sees.
#define GCSCOPE_OFFSET(field, expression)                                                                              \
    {                                                                                                                  \
#field, d.field, static_cast < std::uint64_t>(expression)                                                      \
    }
