// Tuples and strs read through the headers this form is built against (their own macros and
// structs), for the exact forms: each version's layout includes it, so the offsets are its own.
// The portable form reads the same with offsets decided at run time instead.
#pragma once

#include <Python.h>

namespace gcscope::agent::layout {

// A tuple's items (3.14 added a cached hash in front of them).
inline PyObject* const* tupleItems(PyObject* o)
{
    return reinterpret_cast<PyTupleObject*>(o)->ob_item;
}

// A ready str's representation: its kind (1, 2 or 4 bytes a character), its characters, how many.
inline int strKind(PyObject* o)
{
    return static_cast<int>(PyUnicode_KIND(o));
}
inline const void* strData(PyObject* o)
{
    return PyUnicode_DATA(o);
}
inline Py_ssize_t strLength(PyObject* o)
{
    return PyUnicode_GET_LENGTH(o);
}
inline bool strIsAscii(PyObject* o)
{
    return reinterpret_cast<PyASCIIObject*>(o)->state.ascii;
}

} // namespace gcscope::agent::layout
