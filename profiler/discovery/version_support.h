// THE one place for knowledge about CPython versions: which ones gcscope attaches to, why the
// others are refused, and the few memory-layout facts the profiler reads from outside the target.
// docs/python-versions.md documents the same table for users; keep them in step.
#pragma once

#include "discovery/python_version.h"

#include <cstddef>
#include <optional>
#include <string>

namespace gcscope::discovery {

struct Support {
    bool supported = false;
    std::string reason; // one line naming the feature that stops us; empty when supported
};

Support supportFor(const PythonVersion&);

// Byte offset of `_PyRuntime.initialized` (set once Py_Initialize has finished) in the
// interpreter's `_PyRuntimeState`; nullopt for versions gcscope does not support.
std::optional<std::size_t> runtimeInitializedOffset(const PythonVersion&);

} // namespace gcscope::discovery
