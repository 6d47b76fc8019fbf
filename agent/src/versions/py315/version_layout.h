// CPython 3.15: the inline, per-object parts of the layout, shared with 3.14 (python_compat.h
// describes the interface).
#pragma once

#include <Python.h>

static_assert(PY_VERSION_HEX >= 0x030f0000 && PY_VERSION_HEX < 0x03100000,
    "versions/py315 describes CPython 3.15: build it against the 3.15 headers");

#include "versions/shared/objects_since_312.h"
#include "versions/shared/refcount_since_314.h"
