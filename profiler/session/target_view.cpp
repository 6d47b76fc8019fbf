#include "session/target_view.h"

#include "discovery/proc_maps.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace gcscope::session {

namespace {
// The same file or directory in both views (we reach the target's through /proc/PID/root).
bool sameInBothViews(pid_t pid, const std::string& path)
{
    struct stat ours {
    }, theirs {};
    return ::stat(path.c_str(), &ours) == 0 && ::stat(discovery::pathInTarget(pid, path).c_str(), &theirs) == 0
        && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

// A directory for temporary files in the target's root: the first that exists there.
std::string temporaryDirectoryOf(pid_t pid)
{
    for (const char* base : { "/tmp", "/var/tmp", "/dev/shm", "/run" }) {
        std::error_code ec;
        if (fs::is_directory(discovery::pathInTarget(pid, base), ec))
            return base;
    }
    return {};
}

void copyAgent(const std::string& from, const std::string& to)
{
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec || ::chmod(to.c_str(), 0644) != 0)
        throw std::runtime_error("cannot copy the agent to " + to + ": " + (ec ? ec.message() : std::strerror(errno)));
}
} // namespace

TargetView prepareTargetView(pid_t pid, uid_t targetUid, const std::string& agentFile)
{
    TargetView view;
    view.directory = std::make_unique<util::PrivateDirectory>(targetUid);
    if (!sameInBothViews(pid, view.directory->path())) {
        view.directory.reset();
        const std::string base = temporaryDirectoryOf(pid);
        if (base.empty())
            throw std::runtime_error("process " + std::to_string(pid)
                + " runs in another root or mount namespace that has no /tmp, /var/tmp, /dev/shm or /run for the "
                  "agent's socket");
        try {
            view.directory
                = std::make_unique<util::PrivateDirectory>(targetUid, discovery::pathInTarget(pid, base), base);
        } catch (const std::exception& e) {
            throw std::runtime_error(
                "process " + std::to_string(pid) + " runs in another root or mount namespace: " + e.what());
        }
        view.ownRoot = true;
    }
    if (sameInBothViews(pid, agentFile)) {
        view.libraryInTarget = agentFile;
        return view;
    }
    // The target cannot see our agent: it gets a copy in the directory it can see.
    const std::string name = fs::path(agentFile).filename().string();
    copyAgent(agentFile, view.directory->path() + "/" + name);
    view.libraryInTarget = view.directory->insidePath() + "/" + name;
    return view;
}

} // namespace gcscope::session
