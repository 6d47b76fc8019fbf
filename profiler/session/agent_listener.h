// The private rendezvous point for one agent: a 0600 socket in a 0700 directory that only the
// target's user can reach. The connecting process must be the target (SO_PEERCRED) and must
// present the token handed over at injection.
#pragma once

#include "session/agent_connection.h"
#include "util/private_dir.h"

#include <chrono>
#include <memory>
#include <string>
#include <sys/types.h>

namespace gcscope::session {

class AgentListener {
public:
    // Creates the directory and the listening socket for a target owned by `targetUid`.
    explicit AgentListener(uid_t targetUid);
    // In a directory made for the target (possibly in its own root: see PrivateDirectory).
    explicit AgentListener(std::unique_ptr<util::PrivateDirectory> directory);
    ~AgentListener();
    AgentListener(const AgentListener&) = delete;
    AgentListener& operator=(const AgentListener&) = delete;

    const std::string& socketPath() const { return socketPath_; }
    const util::PrivateDirectory& directory() const { return *dir_; }
    const std::string& token() const { return token_; }
    // The string the injector hands to gcscope_agent_start.
    std::string agentConfig() const;

    // Waits for process `pid` to connect and say a valid Hello. Connections from other processes
    // or with a wrong token are dropped and waiting goes on. Throws std::runtime_error on timeout.
    // `pidInside` is the PID the target has in its own PID namespace (what its Hello says).
    AgentConnection accept(pid_t pid, std::chrono::milliseconds timeout, wire::HelloRecord& hello, pid_t pidInside = 0);

private:
    std::unique_ptr<util::PrivateDirectory> dir_;
    void listen();

    std::string socketPath_;
    std::string insideSocketPath_;
    std::string token_;
    int fd_ = -1;
};

} // namespace gcscope::session
