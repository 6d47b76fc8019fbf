// The portable form: for a GIL build of CPython 3.11 to 3.15 that has no exact build (3.12, and
// 3.14.0 to 3.14.4 with their incremental collector), compiled against 3.11's headers and using
// only the public C API and the object layouts of the public "cpython/" headers, which the few
// facts below describe per version, decided at run time (python_compat.h describes the interface).
//
// What it gives up against an exact form: it does not read dict internals, frames, generators,
// functions or managed attributes, so references are found with tp_traverse only and most carry no
// name; sizes of dicts, types, code and frames come from calling their C __sizeof__. It reads the
// collector's lists where it finds them (version_layout.cpp: found by a list it makes, checked
// against gc.garbage and gc.callbacks); where it does not, it enumerates the heap with
// gc.get_objects(), a list that holds one reference to every tracked object for the whole walk.
#pragma once

#include <Python.h>

#include "versions/shared/gc_header.h"

#include <cstddef>
#include <cstdint>

static_assert(PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030c0000,
    "versions/portable is built against the 3.11 headers: their public layouts are its common ground");

// Names found in every version from 3.11 to 3.15; the rest (Py_IsFinalizing, PyType_GetDict) are
// looked up one by one at run time.
#define GCSCOPE_PY_VERSION_FUNCTIONS(X)                                                                                \
    X(PyObject_GC_IsTracked)                                                                                           \
    X(PyList_New)                                                                                                      \
    X(PyType_GetQualName)                                                                                              \
    X(PyModule_GetNameObject)                                                                                          \
    X(PyImport_GetModuleDict)                                                                                          \
    X(PyObject_GetAttrString)                                                                                          \
    X(PyDict_Next)

namespace gcscope::agent::portable {

// What differs between the versions the portable form serves, set once the version is known.
struct RuntimeFacts {
    int minor = 11;
    bool immortals = false; // 3.12+: PEP 683
    bool refcountIsLowHalf = false; // 3.14+: ob_refcnt is the low 32 bits of the first word
    std::uint32_t immortalInitial = 0; // 3.14+: Py_INCREF leaves counts from here on alone
    bool managedWeakrefFlag = false; // 3.12+: Py_TPFLAGS_MANAGED_WEAKREF adds to the pre-header
    bool staticTypesHavePreHeader = true; // 3.11 counts the pre-header of static type objects
    std::size_t tupleItemsOffset = 24; // 3.14+: 32
    bool intTag = false; // 3.12+: lv_tag (sign in bits 0-1, digit count from bit 3) instead of ob_size
    // str (cpython/unicodeobject.h): sizeof(PyASCIIObject), sizeof(PyCompactUnicodeObject), and
    // where the UTF-8 cache, the wchar_t cache (3.11) and a legacy string's data pointer are.
    std::size_t asciiSize = 48;
    std::size_t compactSize = 72;
    std::size_t utf8LengthOffset = 48;
    std::size_t utf8Offset = 56;
    bool hasWstr = true;
    std::size_t wstrOffset = 40;
    std::size_t wstrLengthOffset = 64;
    std::size_t legacyDataOffset = 72;
};
extern RuntimeFacts facts;

template <typename T> inline T fieldAt(const void* o, std::size_t offset)
{
    T value;
    __builtin_memcpy(&value, static_cast<const char*>(o) + offset, sizeof value);
    return value;
}

// PyASCIIObject.state at offset 32 in every version: interned (2 bits), kind (3), compact, ascii,
// then ready (3.11) or statically_allocated (3.12+).
inline std::uint32_t strState(PyObject* o)
{
    return fieldAt<std::uint32_t>(o, 32);
}

} // namespace gcscope::agent::portable

namespace gcscope::agent::layout {

inline Py_ssize_t refcount(PyObject* o)
{
    return portable::facts.refcountIsLowHalf ? static_cast<Py_ssize_t>(static_cast<std::uint32_t>(o->ob_refcnt))
                                             : o->ob_refcnt;
}
inline bool refcountIsImmortal(Py_ssize_t refcount)
{
    return portable::facts.immortals && static_cast<std::int32_t>(refcount) < 0;
}
inline bool isImmortal(PyObject* o)
{
    return refcountIsImmortal(refcount(o));
}
inline void increment(PyObject* o)
{
    const auto& f = portable::facts;
    auto* low = reinterpret_cast<std::uint32_t*>(&o->ob_refcnt); // little-endian: the low half
    if (f.refcountIsLowHalf) {
        if (*low < f.immortalInitial)
            ++*low;
    } else if (f.immortals) {
        if (*low + 1 != 0)
            ++*low;
    } else {
        ++o->ob_refcnt;
    }
}
inline bool decrementReachesZero(PyObject* o)
{
    if (isImmortal(o))
        return false;
    if (portable::facts.refcountIsLowHalf) {
        auto* low = reinterpret_cast<std::uint32_t*>(&o->ob_refcnt);
        return --*low == 0;
    }
    return --o->ob_refcnt == 0;
}

// _PyType_PreHeaderSize: the GC header, and two words for a managed __dict__ (or weakref list).
inline std::size_t preHeaderSize(PyTypeObject* type)
{
    constexpr unsigned long kManagedWeakref = 1UL << 3; // 3.12+
    std::size_t size = 0;
    if (type->tp_flags & Py_TPFLAGS_HAVE_GC)
        size += 2 * sizeof(std::uintptr_t);
    const unsigned long managed
        = Py_TPFLAGS_MANAGED_DICT | (portable::facts.managedWeakrefFlag ? kManagedWeakref : 0UL);
    if (type->tp_flags & managed)
        size += 2 * sizeof(PyObject*);
    return size;
}
inline bool typeObjectHasPreHeader(PyObject* type)
{
    return portable::facts.staticTypesHavePreHeader
        || (reinterpret_cast<PyTypeObject*>(type)->tp_flags & Py_TPFLAGS_HEAPTYPE);
}

// A tuple's items: at offset 24, or 32 from 3.14 (a cached hash in front of them).
inline PyObject* const* tupleItems(PyObject* o)
{
    return reinterpret_cast<PyObject* const*>(reinterpret_cast<const char*>(o) + portable::facts.tupleItemsOffset);
}

inline bool strIsReady(PyObject* o)
{
    return portable::facts.minor >= 12 || (portable::strState(o) >> 7 & 1);
}
inline int strKind(PyObject* o)
{
    return static_cast<int>(portable::strState(o) >> 2 & 7);
}
inline Py_ssize_t strLength(PyObject* o)
{
    return portable::fieldAt<Py_ssize_t>(o, 16);
}
inline bool strIsAscii(PyObject* o)
{
    return portable::strState(o) >> 6 & 1;
}
inline const void* strData(PyObject* o)
{
    const std::uint32_t state = portable::strState(o);
    const bool compact = state >> 5 & 1, ascii = state >> 6 & 1;
    if (compact)
        return reinterpret_cast<const char*>(o) + (ascii ? portable::facts.asciiSize : portable::facts.compactSize);
    return portable::fieldAt<const void*>(o, portable::facts.legacyDataOffset);
}

// int: digits at offset 24 in every version; their count in ob_size (3.11) or lv_tag (3.12+).
inline const digit* intDigits(PyObject* o)
{
    return reinterpret_cast<const digit*>(reinterpret_cast<const char*>(o) + 24);
}
inline std::size_t intDigitCount(PyObject* o)
{
    const auto word = portable::fieldAt<std::intptr_t>(o, 16);
    if (portable::facts.intTag)
        return static_cast<std::size_t>(static_cast<std::uintptr_t>(word) >> 3);
    return static_cast<std::size_t>(word < 0 ? -word : word);
}
inline bool intIsNegative(PyObject* o)
{
    const auto word = portable::fieldAt<std::intptr_t>(o, 16);
    return portable::facts.intTag ? (word & 3) == 2 : word < 0;
}
inline std::size_t intSizeofDigits(std::size_t digits)
{
    return 24 + (digits ? digits : 1) * sizeof(digit);
}

} // namespace gcscope::agent::layout

namespace gcscope::agent {

// The portable form never follows the header's links; whether an object is tracked it asks the
// interpreter.
bool portableIsTracked(const GcHeader* h); // PyObject_GC_IsTracked
inline bool gcHeaderIsTracked(const GcHeader* h)
{
    return portableIsTracked(h);
}

} // namespace gcscope::agent
