// CPython 3.11: the inline, per-object parts of the layout (python_compat.h describes the interface).
#pragma once

#include <Python.h>

#include "versions/shared/gc_header.h"
#include "versions/shared/header_objects.h"

#include <cstddef>
#include <cstdint>

static_assert(PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030c0000,
    "versions/py311 describes CPython 3.11: build it against the 3.11 headers");

// The functions whose names differ between versions (python_api.h adds them to its table).
#define GCSCOPE_PY_VERSION_FUNCTIONS(X)                                                                                \
    X(_Py_IsFinalizing)                                                                                                \
    X(PyThread_acquire_lock)                                                                                           \
    X(PyThread_release_lock)

namespace gcscope::agent::layout {

// ob_refcnt is the whole count; nothing is immortal in 3.11.
inline Py_ssize_t refcount(PyObject* o)
{
    return o->ob_refcnt;
}
inline bool isImmortal(PyObject*)
{
    return false;
}
inline bool refcountIsImmortal(Py_ssize_t)
{
    return false;
}
inline void increment(PyObject* o)
{
    ++o->ob_refcnt;
}
// True when the count reached zero (the caller deallocates).
inline bool decrementReachesZero(PyObject* o)
{
    return --o->ob_refcnt == 0;
}

// Bytes sys.getsizeof() adds in front of an object of this type: the GC header for GC types, two
// pointers for types whose instances keep a managed __dict__.
inline std::size_t preHeaderSize(PyTypeObject* type)
{
    std::size_t size = 0;
    if (type->tp_flags & Py_TPFLAGS_HAVE_GC)
        size += 2 * sizeof(std::uintptr_t);
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        size += 2 * sizeof(PyObject*);
    return size;
}

// sys.getsizeof() counts the pre-header of every type object in 3.11, static ones included.
inline bool typeObjectHasPreHeader(PyObject*)
{
    return true;
}

// A str that has its final (PEP 393) representation: only those are read.
inline bool strIsReady(PyObject* o)
{
    return PyUnicode_IS_READY(o);
}

// An int's digits, least significant first, and how many are in use; its sign.
inline const digit* intDigits(PyObject* o)
{
    return reinterpret_cast<PyLongObject*>(o)->ob_digit;
}
inline std::size_t intDigitCount(PyObject* o)
{
    const Py_ssize_t size = Py_SIZE(o);
    return static_cast<std::size_t>(size < 0 ? -size : size);
}
inline bool intIsNegative(PyObject* o)
{
    return Py_SIZE(o) < 0;
}
// int.__sizeof__ for an int of that many 30-bit digits (zero owns a digit too).
inline std::size_t intSizeofDigits(std::size_t digits)
{
    return offsetof(PyLongObject, ob_digit) + (digits ? digits : 1) * sizeof(digit);
}

} // namespace gcscope::agent::layout

namespace gcscope::agent {

inline bool gcHeaderIsTracked(const GcHeader* h)
{
    return h->next != 0;
}

} // namespace gcscope::agent
