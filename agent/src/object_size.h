// Shallow object sizes equal to sys.getsizeof(), computed without running the target's Python code.
//
// sys.getsizeof(o) is type(o).__sizeof__(o) plus the pre-header (GC header, managed-dict pointers).
// We use the first __sizeof__ in the MRO that is implemented in C (a method descriptor), skipping
// any written in Python. For builtins and C extension types that is exactly what sys.getsizeof
// calls; for user classes it is the builtin base's rule: tp_basicsize + |ob_size| * tp_itemsize
// (object's), plus the base's extra for subclasses of dict, list, set, ... A user __sizeof__ is
// never called. The common builtins (types, code and frames included) are measured natively, so a
// heap walk allocates nothing for them; other C __sizeof__ implementations are called (each call
// allocates the int it returns). Everything needs the GIL.
#pragma once

#include "python_api.h"

#include <cstddef>

namespace gcscope::agent {

struct SizeRule {
    enum class Kind { Layout, List, Dict, Set, Int, Str, Type, Code, Frame, CallDescriptor };
    Kind kind = Kind::Layout;
    PyObject* descriptor = nullptr; // borrowed from a static type's dict (CallDescriptor)
    std::size_t preHeader = 0;
};

class ShallowSizer {
public:
    bool open();
    void close();

    // Decided once per type: callers measuring many objects cache it.
    SizeRule ruleFor(PyTypeObject* type) const;
    std::size_t measure(PyObject* object, const SizeRule& rule) const
    {
        PyTypeObject* type = Py_TYPE(object);
        if (rule.kind == SizeRule::Kind::Layout && type->tp_itemsize == 0) // most instances: inline
            return static_cast<std::size_t>(type->tp_basicsize) + rule.preHeader;
        return measureByRule(object, rule);
    }
    std::size_t shallowSize(PyObject* object) const { return measure(object, ruleFor(Py_TYPE(object))); }

private:
    std::size_t measureByRule(PyObject* object, const SizeRule& rule) const;

    PyObject* sizeofKey_ = nullptr;
};

} // namespace gcscope::agent
