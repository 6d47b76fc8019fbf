// CPython 3.13: the inline, per-object parts of the layout (python_compat.h describes the interface).
#pragma once

#include <Python.h>

#include <cstddef>
#include <cstdint>

static_assert(PY_VERSION_HEX >= 0x030d0000 && PY_VERSION_HEX < 0x030e0000,
    "versions/py313 describes CPython 3.13: build it against the 3.13 headers");
#ifdef Py_GIL_DISABLED
#error "versions/py313 describes the default (GIL) build of CPython 3.13, not the free-threaded one"
#endif

namespace gcscope::agent::layout {

// ob_refcnt is a 64-bit count whose low half reads as negative for immortal objects (PEP 683): their
// count stays at 2**32 - 1 and Py_INCREF/Py_DECREF leave them alone.
inline Py_ssize_t refcount(PyObject* o)
{
    return o->ob_refcnt;
}
// What refcount() read says of an object: its low half negative.
inline bool refcountIsImmortal(Py_ssize_t refcount)
{
    return static_cast<std::int32_t>(refcount) < 0;
}
inline bool isImmortal(PyObject* o)
{
    return refcountIsImmortal(o->ob_refcnt);
}
inline void increment(PyObject* o)
{
    const std::uint32_t next = o->ob_refcnt_split[0] + 1; // little-endian: the low half
    if (next != 0)
        o->ob_refcnt_split[0] = next;
}
inline bool decrementReachesZero(PyObject* o)
{
    return !isImmortal(o) && --o->ob_refcnt == 0;
}

} // namespace gcscope::agent::layout

#include "versions/shared/objects_since_312.h"
