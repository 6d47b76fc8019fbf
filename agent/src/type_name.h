// The name a census reports for a type: "module.qualname", builtins bare ("dict", "__main__.Node",
// "collections.OrderedDict"). Read from the type object itself, never through a descriptor: heap
// types give ht_qualname and the exact str "__module__" of their own dict, static types tp_name.
#pragma once

#include "python_api.h"

#include <string>

namespace gcscope::agent {

class TypeNamer {
public:
    bool open();
    void close();
    std::string nameOf(PyTypeObject* type) const; // GIL held

private:
    PyObject* moduleKey_ = nullptr;
};

} // namespace gcscope::agent
