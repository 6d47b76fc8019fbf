// Whether a process runs in a container as gcscope sees it: in other mount, PID or user namespaces
// than ours, or under another root directory (chroot). Read from /proc/PID/ns and /proc/PID/root;
// nothing here enters a namespace.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace gcscope::discovery {

struct ContainerView {
    bool otherMountNamespace = false;
    bool otherPidNamespace = false;
    bool otherUserNamespace = false; // rootless containers: its uids are mapped to others on the host
    // Its root directory as we see it ("/" when it shares ours or when its root is another mount
    // namespace's own root, as for docker and podman); "" when we may not read it.
    std::string root;
    pid_t pidInside = 0; // its PID in its own PID namespace (0: not known)

    bool contained() const
    {
        return otherMountNamespace || otherPidNamespace || otherUserNamespace || (!root.empty() && root != "/");
    }
    // One line for ps: "chroot /srv/root", "container (mount, PID, user namespaces), PID 1 inside".
    std::string describe() const;
};

// nullopt when the process does not exist.
std::optional<ContainerView> containerOf(pid_t pid);

} // namespace gcscope::discovery
