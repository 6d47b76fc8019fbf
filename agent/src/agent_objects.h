// The agent's own objects in the target's heap (its gc callback, its exit hook), which censuses and
// snapshots leave out: the target's heap as if we were not there.
#pragma once

#include "python_api.h"

namespace gcscope::agent {

struct AgentObjects {
    PyObject* gcCallback = nullptr;
    PyObject* exitHook = nullptr;
    bool contains(const PyObject* o) const { return o == gcCallback || o == exitHook; }
};

} // namespace gcscope::agent
