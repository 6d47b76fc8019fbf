// Everything the agent knows about *which* CPython it runs in. The agent is compiled against the
// 3.11 headers and uses 3.11 struct layouts (type objects, str/int/list/set internals, the GC
// pre-header); the gate below is the one place that decides whether the running interpreter is one
// those layouts fit. Nothing may touch a CPython structure before runtimeIsSupported() said yes.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <string>

static_assert(PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030c0000,
    "the agent's object layouts are those of CPython 3.11: build it against the 3.11 headers");

namespace gcscope::agent {

struct RuntimeVersion {
    std::uint32_t hex = 0; // Py_Version layout (0x030b02f0); 0 when this is not a CPython process
    int major = 0;
    int minor = 0;
    int micro = 0;
};

// Reads the running interpreter's version without running Python code or taking the GIL: the
// Py_Version constant (3.11+), else the Py_GetVersion() string (older versions), else 0.
RuntimeVersion readRuntimeVersion();

bool runtimeIsSupported(const RuntimeVersion& v);

// "Python 3.12.1 is not supported by this agent (3.11 only)", or why no Python was found.
std::string unsupportedRuntimeMessage(const RuntimeVersion& v);

// The interpreter's executable path (what sys.executable is initialised from) if it can be read
// without the GIL, else "". Only call for a supported runtime.
std::string executablePathWithoutGil();

// Bytes sys.getsizeof() adds in front of an object of this type (3.11: the GC header for GC types,
// two pointers for types whose instances keep a managed __dict__).
inline std::size_t preHeaderSize(PyTypeObject* type)
{
    std::size_t size = 0;
    if (type->tp_flags & Py_TPFLAGS_HAVE_GC)
        size += 2 * sizeof(std::uintptr_t); // PyGC_Head: _gc_next and _gc_prev (internal header)
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        size += 2 * sizeof(PyObject*);
    return size;
}

// int.__sizeof__ and str.__sizeof__ of 3.11 (str's representations change in 3.12).
std::size_t intSizeof(PyObject* o);
std::size_t strSizeof(PyObject* o);

} // namespace gcscope::agent
