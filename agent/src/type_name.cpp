#include "type_name.h"

#include "text_preview.h"

#include <string_view>

namespace gcscope::agent {

namespace {

constexpr std::string_view kBuiltinsPrefix = "builtins.";

// The UTF-8 of an exact str, or "" for anything else (a str subclass could run code on access).
// Read natively: asking CPython for UTF-8 would attach a cached copy to a non-ASCII name.
std::string exactStr(PyObject* o)
{
    if (!o || !Py_IS_TYPE(o, py().PyUnicode_Type))
        return {};
    char text[1024];
    return std::string(text, renderStr(o, text, sizeof text));
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
    std::string qualname = exactStr(heapTypeQualname(type));
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
