// Attach = check the process, open a private socket, inject the agent, wait for its Hello.
#pragma once

#include "discovery/process_info.h"
#include "session/agent_connection.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <sys/types.h>

namespace gcscope::session {

// One line for the user, naming the PID; the CLI prints it and exits 1.
struct AttachError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct AttachOptions {
    std::chrono::milliseconds injectTimeout { 10000 };
    std::chrono::milliseconds connectTimeout { 15000 };
};

struct AttachedAgent {
    discovery::ProcessInfo process;
    wire::HelloRecord hello;
    AgentConnection connection;
    int safePointRetries = 0;
};

AttachedAgent attachAgent(pid_t pid, const AttachOptions& options = {});

} // namespace gcscope::session
