// Waiting for a freshly started Python process to finish Py_Initialize before injecting into it
// (`gcscope run`): until then libc, the loader and the interpreter are still setting up.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>

namespace gcscope::discovery {

// Polls `_PyRuntime.initialized` in the target's memory (offset from the version table) until it
// is set. Keeps polling while the process is not Python yet (a fork before exec, a pyenv shim);
// false with `error` (one line naming the PID) on timeout, exit, or an unsupported version.
bool waitForInterpreterReady(pid_t pid, std::chrono::milliseconds timeout, std::string& error);

} // namespace gcscope::discovery
