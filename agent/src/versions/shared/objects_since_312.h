// The inline, per-object parts of the layout shared by CPython 3.12 and later (GIL builds), as
// source: each version's version_layout.h includes it after its own reference-count rules, so it
// compiles against that version's own headers.
#pragma once

#include <Python.h>

#include "versions/shared/gc_header.h"
#include "versions/shared/header_objects.h"

#include <cstddef>
#include <cstdint>

#ifdef Py_GIL_DISABLED
#error "the exact agent forms describe default (GIL) builds, not free-threaded ones"
#endif

// The functions whose names differ from 3.11's (python_api.h adds them to its table).
#define GCSCOPE_PY_VERSION_FUNCTIONS(X)                                                                                \
    X(Py_IsFinalizing)                                                                                                 \
    X(PyMutex_Unlock)                                                                                                  \
    X(PyType_GetDict)                                                                                                  \
    X(PyObject_VisitManagedDict)

namespace gcscope::agent::layout {

// _PyType_PreHeaderSize: the GC header, and two words for a managed __dict__ or weakref list.
inline std::size_t preHeaderSize(PyTypeObject* type)
{
    std::size_t size = 0;
    if (type->tp_flags & Py_TPFLAGS_HAVE_GC)
        size += 2 * sizeof(std::uintptr_t);
    if (type->tp_flags & (Py_TPFLAGS_MANAGED_DICT | Py_TPFLAGS_MANAGED_WEAKREF))
        size += 2 * sizeof(PyObject*);
    return size;
}
// sys.getsizeof() leaves the pre-header out for static type objects.
inline bool typeObjectHasPreHeader(PyObject* type)
{
    return reinterpret_cast<PyTypeObject*>(type)->tp_flags & Py_TPFLAGS_HEAPTYPE;
}

inline bool strIsReady(PyObject*)
{
    return true; // every str has its final representation since 3.12
}

// lv_tag: bits 0-1 the sign (0 positive, 1 zero, 2 negative), bit 2 reserved (3.14+: small ints),
// then the digit count.
inline const digit* intDigits(PyObject* o)
{
    return reinterpret_cast<PyLongObject*>(o)->long_value.ob_digit;
}
inline std::size_t intDigitCount(PyObject* o)
{
    return static_cast<std::size_t>(reinterpret_cast<PyLongObject*>(o)->long_value.lv_tag >> 3);
}
inline bool intIsNegative(PyObject* o)
{
    return (reinterpret_cast<PyLongObject*>(o)->long_value.lv_tag & 3) == 2;
}
inline std::size_t intSizeofDigits(std::size_t digits)
{
    return offsetof(PyLongObject, long_value.ob_digit) + (digits ? digits : 1) * sizeof(digit);
}

} // namespace gcscope::agent::layout

namespace gcscope::agent {

inline bool gcHeaderIsTracked(const GcHeader* h)
{
    return h->next != 0;
}

} // namespace gcscope::agent
