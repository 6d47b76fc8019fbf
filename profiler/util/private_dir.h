#pragma once

#include <string>
#include <sys/types.h>

namespace gcscope::util {

// A fresh directory only its owner can enter (0700), under $XDG_RUNTIME_DIR or /tmp, removed with
// everything in it on destruction. When the profiler runs as root for another user's target, the
// directory is handed to that user so only the target (and root) can reach the socket inside.
class PrivateDirectory {
public:
    explicit PrivateDirectory(uid_t owner);
    ~PrivateDirectory();
    PrivateDirectory(const PrivateDirectory&) = delete;
    PrivateDirectory& operator=(const PrivateDirectory&) = delete;

    const std::string& path() const { return path_; }
    uid_t owner() const { return owner_; }

private:
    std::string path_;
    uid_t owner_;
};

} // namespace gcscope::util
