// THE one place for knowledge about CPython versions on the profiler's side: which ones gcscope
// attaches to, with which form of the agent, why the others are refused, how each version's
// collector counts its generations, and the few memory-layout facts the profiler reads from outside
// the target. docs/python-versions.md documents the same table for users; keep them in step. (The
// agent's side of the same knowledge is agent/src/versions/, one folder per form.)
#pragma once

#include "discovery/python_version.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::discovery {

// How the running collector organises its objects, which decides what gc.get_count(),
// gc.get_threshold() and gc.collect(generation) mean.
enum class GcModel : std::uint8_t {
    Generational, // three generations (3.11 to 3.13, 3.14.5+, 3.15)
    Incremental, // 3.14.0 to 3.14.4: a young generation and two old spaces scanned in increments
};

// What is known about the interpreter of a process without running anything in it: its version,
// and whether it is a free-threaded (PEP 703) build, read from its ELF file and, where readable,
// from the _Py_DebugOffsets at the start of its _PyRuntime (3.13+).
struct InterpreterFacts {
    PythonVersion version;
    bool freeThreaded = false;
    std::optional<std::uint64_t> gcStateSize; // sizeof(struct _gc_runtime_state), from the debug offsets
};

struct Support {
    bool supported = false;
    std::string reason; // one line naming the feature that stops us; empty when supported
    std::string form; // the agent's form: "py311", "py313", ... or "portable" (libgcscope_agent_<form>.so)
    bool untested = false; // a version this project cannot run its tests on (served by the portable form)
    GcModel gc = GcModel::Generational;
};

// The agent forms gcscope knows, most exact first.
inline constexpr const char* kPortableForm = "portable";

// Which form of the agent serves this interpreter, or why none does. `available` lists the forms
// this installation has (an exact form that was not built falls back to the portable one). A
// `forced` form (--agent-form) is used whatever the version, if the version is supported at all.
Support supportFor(
    const InterpreterFacts& facts, const std::vector<std::string>& available, const std::string& forced = {});
// The same with every form available (what this gcscope knows, whatever was built).
Support supportFor(const PythonVersion& version);

// "exact (3.13)", "portable", "portable, untested on this version" for ps, doctor and info.
std::string describeForm(const Support& support);

// The name of a generation as the running collector has it: for the incremental collector
// generation 0 is "young" and 1 and 2 are the old spaces; otherwise "gen 0", "gen 1", "gen 2".
std::string generationName(GcModel model, int generation);
const char* gcModelName(GcModel model); // "generational", "incremental"
// The model a recording names (sessions.gc_model); anything else, older files included, is generational.
GcModel gcModelNamed(std::string_view name);

// Byte offset of `_PyRuntime.initialized` (set once Py_Initialize has finished) in the
// interpreter's `_PyRuntimeState`; nullopt for versions gcscope does not support.
std::optional<std::size_t> runtimeInitializedOffset(const PythonVersion&);

// Where the _Py_DebugOffsets (3.13+) keep gc.size (sizeof(struct _gc_runtime_state)) relative to
// the start of _PyRuntime; nullopt before 3.13 and for unknown versions.
std::optional<std::size_t> debugOffsetsGcSizeOffset(const PythonVersion&);

} // namespace gcscope::discovery
