/* The layout facts of discovery/version_support.cpp, taken from the installed CPython 3.11
 * internal headers (compiled as C: they do not build as C++). */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_runtime.h>
#include <stddef.h>

size_t gcscope_test_python311_runtime_initialized_offset(void)
{
    return offsetof(_PyRuntimeState, initialized);
}
unsigned long gcscope_test_python_headers_hex(void)
{
    return PY_VERSION_HEX;
}
