#pragma once

#include <cstddef>
#include <string>
#include <sys/types.h>

namespace gcscope::util {

// Removes the private directories in `base` that a gcscope which no longer runs left behind (one
// killed while it attached); each new directory does this first. Returns how many it removed.
std::size_t removeAbandonedDirectories(const std::string& base);

// A fresh directory only its owner can enter (0700), under $XDG_RUNTIME_DIR or /tmp, removed with
// everything in it on destruction. When the profiler runs as root for another user's target, the
// directory is handed to that user so only the target (and root) can reach the socket inside. Its
// name, gcscope-<pid namespace>-<pid>-<start time>-XXXXXX, says which gcscope made it.
class PrivateDirectory {
public:
    explicit PrivateDirectory(uid_t owner);
    // In a directory of our choosing: `base` as we reach it (/proc/PID/root/tmp for a target in
    // another mount namespace), and `insideBase` as the target sees it (/tmp).
    PrivateDirectory(uid_t owner, const std::string& base, const std::string& insideBase);
    ~PrivateDirectory();
    PrivateDirectory(const PrivateDirectory&) = delete;
    PrivateDirectory& operator=(const PrivateDirectory&) = delete;

    const std::string& path() const { return path_; }
    // The same directory as the target sees it (equal to path() unless made in its own root).
    const std::string& insidePath() const { return insidePath_; }
    uid_t owner() const { return owner_; }

private:
    void create(const std::string& base);

    std::string path_;
    std::string insidePath_;
    uid_t owner_;
};

} // namespace gcscope::util
