// Asks for the memory an object's traversal will read beyond its own header: a class instance's
// attribute values (or its __dict__), a list's item array, a dict's keys and values. These live in
// their own allocations, so without this every such object costs a second wait for memory. Only a
// hint: reads the object's type and a pointer or two, which must be in cache already to be cheap.
#pragma once

#include "python_compat.h"

namespace gcscope::agent {

inline void prefetchObjectBody(PyObject* o)
{
    const unsigned long flags = Py_TYPE(o)->tp_flags;
    if (flags & Py_TPFLAGS_MANAGED_DICT) {
        __builtin_prefetch(instanceAttributesAddress(o));
    } else if (flags & Py_TPFLAGS_LIST_SUBCLASS) {
        __builtin_prefetch(reinterpret_cast<PyListObject*>(o)->ob_item);
    } else if (flags & Py_TPFLAGS_DICT_SUBCLASS) {
        auto* dict = reinterpret_cast<PyDictObject*>(o);
        __builtin_prefetch(dict->ma_keys);
        __builtin_prefetch(reinterpret_cast<const char*>(dict->ma_keys) + 64);
        if (dict->ma_values)
            __builtin_prefetch(dict->ma_values);
    }
}

} // namespace gcscope::agent
