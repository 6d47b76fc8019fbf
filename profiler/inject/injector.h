// Loading a shared library into a running process and calling its entry function, with ptrace
// on the main thread only (other threads keep running). The target must survive whatever
// happens: every failure restores the thread exactly, detaches, and comes back as one line in
// InjectResult::error. Synchronous; ptrace requires every request to come from the thread that
// attached, so the whole call runs on the caller's thread.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>

namespace gcscope::inject {

struct InjectOptions {
    std::chrono::milliseconds timeout { 10000 }; // the whole operation
    int maxSafePointAttempts = 300;
    bool checkSafePoint = true; // false only for the stress test's negative control
};

struct InjectResult {
    bool ok = false;
    std::string error; // one line naming the PID when !ok
    int safePointRetries = 0; // how often the thread was let go and stopped again to find a safe point
    pid_t thread = 0; // the thread that ran dlopen and the entry function
    long entryResult = 0; // what the entry function returned
};

// dlopen(libraryPath) inside `pid`, then call the library's exported `int entrySymbol(const char*)`
// with `entryArgument`; restore the thread exactly and detach.
InjectResult injectLibrary(pid_t pid, const std::string& libraryPath, const std::string& entrySymbol,
    const std::string& entryArgument, const InjectOptions& = {});

} // namespace gcscope::inject
