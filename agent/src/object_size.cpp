#include "object_size.h"

#include "python_compat.h"

#include <cstdlib>

namespace gcscope::agent {

namespace {

std::size_t layoutSize(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    std::size_t size = static_cast<std::size_t>(type->tp_basicsize);
    if (type->tp_itemsize > 0)
        size += static_cast<std::size_t>(std::labs(Py_SIZE(o))) * static_cast<std::size_t>(type->tp_itemsize);
    return size;
}

std::size_t listSize(PyObject* o)
{
    auto* list = reinterpret_cast<PyListObject*>(o);
    return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize)
        + static_cast<std::size_t>(list->allocated) * sizeof(PyObject*);
}

std::size_t setSize(PyObject* o)
{
    auto* set = reinterpret_cast<PySetObject*>(o);
    std::size_t size = static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize);
    if (set->table != set->smalltable)
        size += static_cast<std::size_t>(set->mask + 1) * sizeof(setentry);
    return size;
}

} // namespace

bool ShallowSizer::open()
{
    close();
    sizeofKey_ = py().PyUnicode_InternFromString("__sizeof__");
    if (!sizeofKey_)
        py().PyErr_Clear();
    return sizeofKey_ != nullptr;
}

void ShallowSizer::close()
{
    decref(sizeofKey_);
    sizeofKey_ = nullptr;
}

SizeRule ShallowSizer::ruleFor(PyTypeObject* type) const
{
    SizeRule rule;
    rule.preHeader = layout::preHeaderSize(type);
    PyObject* mro = type->tp_mro;
    if (!sizeofKey_ || !mro || !PyTuple_Check(mro))
        return rule;
    const auto& api = py();
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); ++i) {
        auto* base = reinterpret_cast<PyTypeObject*>(layout::tupleItems(mro)[i]);
        PyObject* dict = PyType_Check(base) ? typeDict(base) : nullptr;
        if (!dict)
            continue;
        PyObject* descriptor = api.PyDict_GetItemWithError(dict, sizeofKey_);
        if (!descriptor) {
            api.PyErr_Clear();
            continue;
        }
        // Only C implementations count. A __sizeof__ written in Python (a function, a property,
        // anything but a method descriptor) is user code: skip it and keep walking the MRO.
        if (!Py_IS_TYPE(descriptor, api.PyMethodDescr_Type))
            continue;
        if (base == api.PyBaseObject_Type)
            rule.kind = SizeRule::Kind::Layout;
        else if (base == api.PyList_Type)
            rule.kind = SizeRule::Kind::List;
        else if (base == api.PyDict_Type)
            rule.kind = SizeRule::Kind::Dict;
        else if (base == api.PySet_Type || base == api.PyFrozenSet_Type)
            rule.kind = SizeRule::Kind::Set;
        else if (base == api.PyLong_Type)
            rule.kind = SizeRule::Kind::Int;
        else if (base == api.PyUnicode_Type)
            rule.kind = SizeRule::Kind::Str;
        else if (base == api.PyType_Type)
            rule.kind = SizeRule::Kind::Type;
        else if (base == api.PyCode_Type)
            rule.kind = SizeRule::Kind::Code;
        else if (base == api.PyFrame_Type)
            rule.kind = SizeRule::Kind::Frame;
        else if (base == api.PyBytes_Type)
            rule.kind = SizeRule::Kind::Layout; // bytes.__sizeof__ is the layout rule
        else {
            rule.kind = SizeRule::Kind::CallDescriptor;
            rule.descriptor = descriptor;
        }
        return rule;
    }
    return rule;
}

std::size_t ShallowSizer::measureByRule(PyObject* o, const SizeRule& rule) const
{
    switch (rule.kind) {
    case SizeRule::Kind::Layout:
        return layoutSize(o) + rule.preHeader;
    case SizeRule::Kind::List:
        return listSize(o) + rule.preHeader;
    case SizeRule::Kind::Dict:
        return dictSizeof(o) + rule.preHeader;
    case SizeRule::Kind::Set:
        return setSize(o) + rule.preHeader;
    case SizeRule::Kind::Int:
        return intSizeof(o) + rule.preHeader;
    case SizeRule::Kind::Str:
        return strSizeof(o) + rule.preHeader;
    case SizeRule::Kind::Type:
        return typeSizeof(o) + (layout::typeObjectHasPreHeader(o) ? rule.preHeader : 0);
    case SizeRule::Kind::Code:
        return codeSizeof(o) + rule.preHeader;
    case SizeRule::Kind::Frame:
        return frameSizeof(o) + rule.preHeader;
    case SizeRule::Kind::CallDescriptor: {
        // A C __sizeof__ (type, frame, code, deque, array.array, ...): no Python code runs.
        PyObject* result = py().PyObject_CallOneArg(rule.descriptor, o);
        Py_ssize_t size = result ? py().PyLong_AsSsize_t(result) : -1;
        decref(result);
        if (size < 0) {
            py().PyErr_Clear();
            return layoutSize(o) + rule.preHeader;
        }
        return static_cast<std::size_t>(size) + rule.preHeader;
    }
    }
    return layoutSize(o) + rule.preHeader;
}

} // namespace gcscope::agent
