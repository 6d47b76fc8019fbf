// CPython 3.14 (3.14.5 and later: the generational collector again): the inline, per-object parts
// of the layout, shared with 3.15 (python_compat.h describes the interface).
#pragma once

#include <Python.h>

static_assert(PY_VERSION_HEX >= 0x030e0000 && PY_VERSION_HEX < 0x030f0000,
    "versions/py314 describes CPython 3.14: build it against the 3.14 headers");

#include "versions/shared/objects_since_312.h"
#include "versions/shared/refcount_since_314.h"
