// What the profiler reads about a target from /proc without touching it: memory, threads, fds.
#pragma once

#include <cstdint>
#include <optional>
#include <sys/types.h>

namespace gcscope::util {

struct ProcStats {
    std::int64_t rssBytes = 0;
    int threads = 0;
    int fds = -1; // -1 when /proc/PID/fd is not readable by us
};

// nullopt when the process is gone (or a zombie: its memory is already released).
std::optional<ProcStats> readProcStats(pid_t pid);

// True while `pid` exists and is not a zombie.
bool processAlive(pid_t pid);

} // namespace gcscope::util
