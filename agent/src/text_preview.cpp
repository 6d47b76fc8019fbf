#include "text_preview.h"

#include <cstring>

namespace gcscope::agent {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6"; // …

struct StrView {
    int kind = 0;
    const void* data = nullptr;
    Py_ssize_t length = 0;
    bool ascii = false;
};

// The representations of the running version, read by this form's layout (plain field reads).
bool view(PyObject* o, StrView& out)
{
    if (!o || !PyUnicode_Check(o) || !layout::strIsReady(o))
        return false;
    out.kind = layout::strKind(o);
    out.data = layout::strData(o);
    out.length = layout::strLength(o);
    out.ascii = layout::strIsAscii(o);
    return out.data != nullptr;
}

std::size_t hexEscape(char* out, char prefix, Py_UCS4 c, int digits)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = prefix;
    for (int d = 0; d < digits; ++d)
        out[2 + d] = hex[(c >> (4 * (digits - 1 - d))) & 0xf];
    return static_cast<std::size_t>(2 + digits);
}

// One character as it appears in a label: escaped, or UTF-8. At most 10 bytes.
std::size_t encode(Py_UCS4 c, char* out)
{
    switch (c) {
    case '\n':
        return std::memcpy(out, "\\n", 2), 2;
    case '\r':
        return std::memcpy(out, "\\r", 2), 2;
    case '\t':
        return std::memcpy(out, "\\t", 2), 2;
    case '\\':
        return std::memcpy(out, "\\\\", 2), 2;
    default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return hexEscape(out, 'x', c, 2);
    if ((c >= 0xd800 && c <= 0xdfff) || c == 0x2028 || c == 0x2029)
        return hexEscape(out, 'u', c, 4);
    if (c < 0x80) {
        out[0] = static_cast<char>(c);
        return 1;
    }
    if (c < 0x800) {
        out[0] = static_cast<char>(0xc0 | (c >> 6));
        out[1] = static_cast<char>(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = static_cast<char>(0xe0 | (c >> 12));
        out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out[2] = static_cast<char>(0x80 | (c & 0x3f));
        return 3;
    }
    if (c < 0x110000) {
        out[0] = static_cast<char>(0xf0 | (c >> 18));
        out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out[3] = static_cast<char>(0x80 | (c & 0x3f));
        return 4;
    }
    return hexEscape(out, 'U', c, 8);
}

bool isIdentifierStart(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Printable ASCII without a backslash is copied as it is.
bool plainAscii(const unsigned char* text, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (text[i] < 0x20 || text[i] >= 0x7f || text[i] == '\\')
            return false;
    return true;
}

} // namespace

std::size_t renderStr(PyObject* str, char* out, std::size_t capacity)
{
    StrView s;
    if (!view(str, s))
        return 0;
    const auto length = static_cast<std::size_t>(s.length);
    if (s.ascii && length <= capacity && plainAscii(static_cast<const unsigned char*>(s.data), length)) {
        std::memcpy(out, s.data, length);
        return length;
    }
    const bool ellipsisFits = capacity >= kEllipsis.size();
    std::size_t n = 0;
    std::size_t cut = 0; // the last character boundary that leaves room for the ellipsis
    for (Py_ssize_t i = 0; i < s.length; ++i) {
        char piece[12];
        const std::size_t length = encode(PyUnicode_READ(s.kind, s.data, i), piece);
        if (n + length > capacity) {
            if (!ellipsisFits)
                return n;
            std::memcpy(out + cut, kEllipsis.data(), kEllipsis.size());
            return cut + kEllipsis.size();
        }
        std::memcpy(out + n, piece, length);
        n += length;
        if (ellipsisFits && n + kEllipsis.size() <= capacity)
            cut = n;
    }
    return n;
}

bool isAsciiIdentifier(PyObject* str)
{
    StrView s;
    if (!view(str, s) || !s.ascii || s.length == 0)
        return false;
    const auto* text = static_cast<const unsigned char*>(s.data);
    if (!isIdentifierStart(text[0]))
        return false;
    for (Py_ssize_t i = 1; i < s.length; ++i)
        if (!isIdentifierStart(text[i]) && !(text[i] >= '0' && text[i] <= '9'))
            return false;
    return true;
}

std::string_view truncateUtf8(std::string_view text, std::size_t capacity)
{
    if (text.size() <= capacity)
        return text;
    std::size_t n = capacity;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80)
        --n;
    return text.substr(0, n);
}

} // namespace gcscope::agent
