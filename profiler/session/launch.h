// Starting a program under the profiler (`gcscope run`, the GUI's "Launch" and demo): spawn the
// command, then wait until it is a running, initialised Python interpreter we may attach to.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::session {

// One line for the user, naming the command (and its PID once it has one).
struct LaunchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct LaunchOptions {
    // How long the command may take to start Python and to finish initialising it.
    std::chrono::milliseconds timeout { 30000 };
    // Raised by another thread or a signal handler: give up waiting (the child is terminated).
    const std::atomic<int>* stop = nullptr;
    std::string workingDirectory; // empty: ours
    bool stdinFromDevNull = false; // a GUI has no terminal to lend the child
};

// Spawns command (argv[0] is looked up in PATH; a pyenv shim is fine: we wait through the exec)
// and returns its PID once its interpreter is ready to be attached to. The caller owns the child
// and must reap it. On failure the child is terminated and reaped, and LaunchError says why.
pid_t launchPython(const std::vector<std::string>& command, const LaunchOptions& options = {});

// Ends a child we still own: sends `signal`, waits up to `grace`, then SIGKILL. Returns its wait
// status, or nullopt when it had already been reaped elsewhere.
std::optional<int> terminateChild(pid_t child, int signal, std::chrono::milliseconds grace);

// "exited with status 3", "killed by Terminated".
std::string describeWaitStatus(int status);

} // namespace gcscope::session
