#include "discovery/namespaces.h"

#include "discovery/proc_status.h"

#include <filesystem>
#include <sys/stat.h>
#include <vector>

namespace gcscope::discovery {

namespace {
// Whether /proc/PID/ns/NAME differs from ours; false when it cannot be read (we cannot tell).
bool otherNamespace(pid_t pid, const char* name)
{
    struct stat ours {
    }, theirs {};
    const std::string self = std::string("/proc/self/ns/") + name;
    const std::string target = "/proc/" + std::to_string(pid) + "/ns/" + name;
    if (::stat(self.c_str(), &ours) != 0 || ::stat(target.c_str(), &theirs) != 0)
        return false;
    return ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev;
}
} // namespace

std::string ContainerView::describe() const
{
    std::vector<std::string> spaces;
    if (otherMountNamespace)
        spaces.push_back("mount");
    if (otherPidNamespace)
        spaces.push_back("PID");
    if (otherUserNamespace)
        spaces.push_back("user");
    std::string text;
    if (!root.empty() && root != "/")
        text = "root " + root;
    if (!spaces.empty()) {
        std::string list;
        for (std::size_t i = 0; i < spaces.size(); ++i)
            list += (i == 0 ? "" : i + 1 == spaces.size() ? " and " : ", ") + spaces[i];
        text += (text.empty() ? "" : ", ") + std::string("own ") + list + " namespace" + (spaces.size() > 1 ? "s" : "");
    }
    if (otherPidNamespace && pidInside > 0)
        text += ", PID " + std::to_string(pidInside) + " inside";
    return text;
}

std::optional<ContainerView> containerOf(pid_t pid)
{
    const auto status = readProcStatus(pid);
    if (!status)
        return std::nullopt;
    ContainerView view;
    view.otherMountNamespace = otherNamespace(pid, "mnt");
    view.otherPidNamespace = otherNamespace(pid, "pid");
    view.otherUserNamespace = otherNamespace(pid, "user");
    view.pidInside = status->pidInside;
    std::error_code ec;
    const auto root = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/root", ec);
    if (!ec)
        view.root = root.string();
    return view;
}

} // namespace gcscope::discovery
