// Short, safe UTF-8 renderings of Python strings for snapshot labels, read straight from 3.11's str
// representations: no Python code runs, nothing is allocated, and the str is not touched (asking
// CPython for UTF-8 would attach a cached copy to it and change its size).
#pragma once

#include "python_api.h"

#include <cstddef>
#include <string_view>

namespace gcscope::agent {

// Writes `str` (a str or str subclass) into out[0..capacity) as UTF-8: control characters,
// backslash, C1 controls, U+2028/U+2029 and lone surrogates escaped (\n, \\, \x7f, \u2028, \udc80),
// and "…" at the end when it had to be cut (at a character boundary). Returns the length; 0 for an
// empty or not-ready str.
std::size_t renderStr(PyObject* str, char* out, std::size_t capacity);

// True for a str that is an ASCII identifier ([A-Za-z_][A-Za-z0-9_]*): attribute names, not data.
bool isAsciiIdentifier(PyObject* str);

// The longest prefix of UTF-8 `text` of at most `capacity` bytes that ends on a character boundary.
std::string_view truncateUtf8(std::string_view text, std::size_t capacity);

} // namespace gcscope::agent
