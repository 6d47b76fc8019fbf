// CPython 3.15: the file that reads the *internal* structures, built with Py_BUILD_CORE against
// 3.15's own headers. The readers themselves are shared with 3.14 (versions/shared/layout_since_314.h).
// Nothing here may reference a CPython symbol directly (the agent resolves the API with dlsym).
#define Py_BUILD_CORE 1
#define PY_SSIZE_T_CLEAN
#include <Python.h>
// The internal headers use C11 <stdatomic.h> when the build had it, which C++ cannot include.
// Their other branch (plain word reads with GCC builtins) has the same size and layout.
#undef HAVE_STD_ATOMIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic" // C's flexible array members
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_genobject.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_interpframe.h>
#include <internal/pycore_moduleobject.h>
#include <internal/pycore_object.h>
#include <internal/pycore_runtime.h>
#include <internal/pycore_stackref.h>
#pragma GCC diagnostic pop

#include "versions/shared/layout_since_314.h"

namespace gcscope::agent {

bool runtimeIsSupported(const RuntimeVersion& v)
{
    return v.major == 3 && v.minor == 15;
}

const char* agentForm()
{
    return "3.15";
}

} // namespace gcscope::agent
