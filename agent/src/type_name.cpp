#include "type_name.h"

#include <string_view>

namespace gcscope::agent {

namespace {

constexpr std::string_view kBuiltinsPrefix = "builtins.";

// The UTF-8 of an exact str, or "" for anything else (a str subclass could run code on access).
std::string exactStr(PyObject* o)
{
    if (!o || !Py_IS_TYPE(o, py().PyUnicode_Type))
        return {};
    Py_ssize_t size = 0;
    const char* text = py().PyUnicode_AsUTF8AndSize(o, &size);
    if (!text) {
        py().PyErr_Clear();
        return {};
    }
    return std::string(text, static_cast<std::size_t>(size));
}

} // namespace

bool TypeNamer::open()
{
    close();
    moduleKey_ = py().PyUnicode_InternFromString("__module__");
    if (!moduleKey_)
        py().PyErr_Clear();
    return moduleKey_ != nullptr;
}

void TypeNamer::close()
{
    decref(moduleKey_);
    moduleKey_ = nullptr;
}

std::string TypeNamer::nameOf(PyTypeObject* type) const
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        std::string_view name = type->tp_name ? type->tp_name : "?";
        if (name.starts_with(kBuiltinsPrefix))
            name.remove_prefix(kBuiltinsPrefix.size());
        return std::string(name);
    }
    auto* heapType = reinterpret_cast<PyHeapTypeObject*>(type);
    std::string qualname = exactStr(heapType->ht_qualname);
    if (qualname.empty())
        qualname = type->tp_name ? type->tp_name : "?";
    std::string module;
    if (moduleKey_ && type->tp_dict) {
        module = exactStr(py().PyDict_GetItemWithError(type->tp_dict, moduleKey_));
        py().PyErr_Clear();
    }
    if (module.empty() || module == "builtins")
        return qualname;
    return module + "." + qualname;
}

} // namespace gcscope::agent
