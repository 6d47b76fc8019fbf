/* The layout facts of discovery/version_support.cpp, taken from one CPython version's internal
 * headers (compiled as C: they do not build as C++), once per header set the build has. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_runtime.h>
#include <stddef.h>

struct gcscope_test_layout {
    unsigned long headersHex;
    size_t runtimeInitialized;
    size_t debugOffsetsGcSize; /* 0 before 3.13 */
};

void GCSCOPE_LAYOUT_FUNCTION(struct gcscope_test_layout* out)
{
    out->headersHex = PY_VERSION_HEX;
    out->runtimeInitialized = offsetof(_PyRuntimeState, initialized);
#if PY_VERSION_HEX >= 0x030d0000
    out->debugOffsetsGcSize = offsetof(_Py_DebugOffsets, gc.size);
#else
    out->debugOffsetsGcSize = 0;
#endif
}
