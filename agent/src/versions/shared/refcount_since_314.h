// Reference counts of CPython 3.14 and later (GIL builds, 64-bit), as source for their
// version_layout.h.
#pragma once

#include <Python.h>

#include <cstdint>

namespace gcscope::agent::layout {

// ob_refcnt is the low 32 bits of the header's first word (flags and an overflow count above it).
// Immortal objects read as negative there, and Py_INCREF leaves any count from 3 << 30 alone.
inline Py_ssize_t refcount(PyObject* o)
{
    return static_cast<Py_ssize_t>(o->ob_refcnt);
}
// What refcount() read says of an object: 2**31 or more.
inline bool refcountIsImmortal(Py_ssize_t refcount)
{
    return static_cast<std::int32_t>(refcount) < 0;
}
inline bool isImmortal(PyObject* o)
{
    return refcountIsImmortal(static_cast<Py_ssize_t>(o->ob_refcnt));
}
inline void increment(PyObject* o)
{
    const std::uint32_t count = o->ob_refcnt;
    if (count < _Py_IMMORTAL_INITIAL_REFCNT)
        o->ob_refcnt = count + 1;
}
inline bool decrementReachesZero(PyObject* o)
{
    return !isImmortal(o) && --o->ob_refcnt == 0;
}

} // namespace gcscope::agent::layout
