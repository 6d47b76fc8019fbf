// What /proc/PID/status and /proc/PID/cmdline say about a process (readable for any user's processes).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::discovery {

struct ProcStatus {
    std::string name; // comm, at most 15 characters
    char state = '?'; // R S D T t Z X ...
    pid_t parent = 0;
    pid_t tracerPid = 0;
    pid_t pidInside = 0; // getpid() in its own PID namespace (a container's); 0 when not known
    std::array<uid_t, 4> uids {}; // real, effective, saved, filesystem
    std::array<gid_t, 4> gids {};
    std::vector<gid_t> groups; // supplementary
};

// nullopt when the process does not exist (or vanished while we read).
std::optional<ProcStatus> readProcStatus(pid_t pid);

std::vector<std::string> readCmdline(pid_t pid);

// The user name for `uid`, or the number as text when it has no passwd entry.
std::string userName(uid_t uid);

} // namespace gcscope::discovery
