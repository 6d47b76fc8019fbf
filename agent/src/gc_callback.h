// The collection callback the agent appends to gc.callbacks. It runs on whichever target thread
// collects, with the GIL, and only timestamps "start" and records "stop" into gcEventBuffer(): no
// allocation, no Python code, and the caller's exception state is left exactly as it was.
#pragma once

#include "gc_event_buffer.h"
#include "python_api.h"

#include <string>

namespace gcscope::agent {

// Appends a fresh callback to `callbacks` (the gc.callbacks list), first removing any left behind
// by an earlier agent (a forked child's copy, say). GIL held.
bool installGcCallback(PyObject* callbacks, std::string& error);

// Removes every callback of ours from `callbacks` (tolerating none) and drops the agent's
// references. GIL held.
void removeGcCallback(PyObject* callbacks);

// Stops recording without touching Python (no GIL needed): for a wind-down during finalization.
void deactivateGcCallback();

// The installed function object, so the census can leave it out; null when none is installed.
PyObject* gcCallbackFunction();

GcEventBuffer& gcEventBuffer();

// Non-zero between a collection's "start" and "stop" callbacks (a finalizer may release the GIL
// mid-collection): for the portable form, which cannot read the collector's own flag.
const int* collectionInProgress();

// After fork() in the child: the callback stops recording and the buffer's lock is reset.
void disableGcCallbackAfterFork();

} // namespace gcscope::agent
