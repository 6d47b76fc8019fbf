#include "object_labels.h"

#include "python_compat.h"
#include "text_preview.h"

#include <charconv>
#include <cstring>

namespace gcscope::agent {

ObjectLabeler::ObjectLabeler(StringTable& strings, std::uint32_t maxLabel, bool noStrings)
    : strings_(strings)
    , maxLabel_(maxLabel < kMaxLabel ? maxLabel : kMaxLabel)
    , noStrings_(noStrings)
{
}

std::uint32_t ObjectLabeler::labelOfKind(PyObject* o, ObjectLabelKind kind)
{
    switch (kind) {
    case ObjectLabelKind::None:
        return 0;
    case ObjectLabelKind::Module:
        return name(moduleName(o));
    case ObjectLabelKind::Function:
        return name(reinterpret_cast<PyFunctionObject*>(o)->func_qualname);
    case ObjectLabelKind::Type: {
        auto* type = reinterpret_cast<PyTypeObject*>(o);
        if (type->tp_flags & Py_TPFLAGS_HEAPTYPE)
            return name(heapTypeQualname(type));
        // A static type's __qualname__ is its tp_name after the last dot.
        const char* full = type->tp_name ? type->tp_name : "";
        const char* dot = std::strrchr(full, '.');
        return text(dot ? dot + 1 : full);
    }
    case ObjectLabelKind::Code:
        return name(codeQualname(o));
    case ObjectLabelKind::Frame:
        return frame(o);
    case ObjectLabelKind::Generator:
        return name(generatorQualname(o));
    case ObjectLabelKind::Str:
        return noStrings_ ? 0 : value({ buffer_, renderStr(o, buffer_, maxLabel_) });
    case ObjectLabelKind::Bytes:
        return bytesLabel(Py_SIZE(o));
    case ObjectLabelKind::Int: {
        // Values up to two 30-bit digits: exact, and cheap. Larger ints keep no label.
        bool negative = false;
        std::uint64_t magnitude = 0;
        return smallIntValue(o, negative, magnitude) ? integerLabel(negative, magnitude) : 0;
    }
    case ObjectLabelKind::Float:
        return floatLabel(reinterpret_cast<PyFloatObject*>(o)->ob_fval);
    }
    return 0;
}

std::uint32_t ObjectLabeler::text(std::string_view text)
{
    return strings_.intern(truncateUtf8(text, maxLabel_));
}

std::uint32_t ObjectLabeler::value(std::string_view text)
{
    return strings_.add(truncateUtf8(text, maxLabel_));
}

std::uint32_t ObjectLabeler::name(PyObject* str)
{
    if (!str || !PyUnicode_Check(str))
        return 0;
    const auto key = reinterpret_cast<std::uintptr_t>(str);
    if (const std::uint32_t* known = names_.find(key))
        return *known;
    const std::uint32_t id = text({ buffer_, renderStr(str, buffer_, maxLabel_) });
    bool inserted = false;
    names_.insert(key, id, inserted); // a full table only costs the cache
    return id;
}

std::uint32_t ObjectLabeler::frame(PyObject* frame)
{
    FrameView view;
    if (!readFrame(frame, view) || !view.code)
        return 0;
    char line[24] = ":";
    auto end = std::to_chars(
        line + 1, line + sizeof line, py().PyFrame_GetLineNumber(reinterpret_cast<PyFrameObject*>(frame)))
                   .ptr;
    const auto lineLength = static_cast<std::size_t>(end - line);
    const std::size_t room = maxLabel_ > lineLength ? maxLabel_ - lineLength : 0;
    std::size_t n = renderStr(codeQualname(view.code), buffer_, room);
    std::memcpy(buffer_ + n, line, lineLength);
    return value({ buffer_, n + lineLength });
}

std::uint32_t ObjectLabeler::integerLabel(bool negative, std::uint64_t magnitude)
{
    if (maxLabel_ == 0)
        return 0;
    char* p = buffer_;
    if (negative)
        *p++ = '-';
    p = std::to_chars(p, buffer_ + sizeof buffer_, magnitude).ptr;
    return value({ buffer_, static_cast<std::size_t>(p - buffer_) });
}

std::uint32_t ObjectLabeler::floatLabel(double number)
{
    if (maxLabel_ == 0)
        return 0;
    auto result = std::to_chars(buffer_, buffer_ + sizeof buffer_, number);
    return value({ buffer_, static_cast<std::size_t>(result.ptr - buffer_) });
}

std::uint32_t ObjectLabeler::bytesLabel(Py_ssize_t length)
{
    if (maxLabel_ == 0)
        return 0;
    char* p = std::to_chars(buffer_, buffer_ + sizeof buffer_, length).ptr;
    std::memcpy(p, " bytes", 6);
    return text({ buffer_, static_cast<std::size_t>(p + 6 - buffer_) });
}

} // namespace gcscope::agent
