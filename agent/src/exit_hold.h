// Holding the interpreter's exit for the profiler's last snapshot (`--snapshot-at-end` of a program
// that ends by itself). When the profiler asks for it (ConfigureRecord kConfigureHoldExit), the agent
// registers a C function with atexit. Python calls it on the main thread, before finalization
// starts, with every module still alive; it releases the GIL and waits, at most
// kExitHoldTimeoutNs, until the agent has sent the profiler an Exiting notice and been told to
// detach (or lost the profiler). Meanwhile the agent thread can still take the GIL and walk the heap.
#pragma once

#include "python_api.h"

#include <cstdint>
#include <string>

namespace gcscope::agent {

// The longest a program's exit waits for the profiler (a snapshot of a big heap takes seconds).
constexpr std::int64_t kExitHoldTimeoutNs = 120'000'000'000;

// Registers the hook with atexit (once). GIL held.
bool installExitHold(std::string& error);

// Unregisters the hook, unless Python is calling it right now (then atexit drops it itself), and lets
// a waiting exit go on. GIL held. Safe to call when nothing was installed.
void removeExitHold();

// True once the main thread waits in the hook: time to tell the profiler the program is exiting.
bool exitHoldWaiting();

// Lets a waiting exit go on (any thread, no GIL needed); later calls of the hook return at once.
void releaseExitHold();

// The hook's function object while installed (censuses and snapshots leave it out), else null.
PyObject* exitHoldFunction();

// After fork() in the child: the hook copy must never wait for an agent that is not there.
void disarmExitHoldAfterFork();

} // namespace gcscope::agent
