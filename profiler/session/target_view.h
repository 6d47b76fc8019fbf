// Where the agent library and its socket go so that the target can reach them. A target in another
// root or mount namespace (a container, a chroot, a service with a private /tmp) cannot see our
// /tmp or our copy of the agent: then both go into a private directory made inside the target's own
// root (through /proc/PID/root), and the agent is copied there. Nothing stays behind: the directory
// and the copy are removed when the attach is done (the target keeps only the mapping).
#pragma once

#include "util/private_dir.h"

#include <memory>
#include <string>
#include <sys/types.h>

namespace gcscope::session {

struct TargetView {
    std::unique_ptr<util::PrivateDirectory> directory; // for the socket (and the agent's copy)
    std::string libraryInTarget; // the agent's path as the target sees it
    bool ownRoot = false; // made in the target's own root
};

// Throws std::runtime_error with one line naming the PID when the target can be given neither.
TargetView prepareTargetView(pid_t pid, uid_t targetUid, const std::string& agentFile);

} // namespace gcscope::session
