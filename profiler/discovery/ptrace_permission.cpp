#include "discovery/ptrace_permission.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gcscope::discovery {

namespace {
constexpr int kCapSysPtrace = 19;

bool weHavePtraceCapability()
{
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("CapEff:")) {
            const unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
            return (caps >> kCapSysPtrace) & 1;
        }
    }
    return false;
}

// -1 when Yama is not built into this kernel.
int yamaScope()
{
    std::ifstream in("/proc/sys/kernel/yama/ptrace_scope");
    int scope = -1;
    if (in)
        in >> scope;
    return in ? scope : -1;
}

bool isOurDescendant(pid_t pid)
{
    const pid_t self = ::getpid();
    for (int depth = 0; pid > 1 && depth < 4096; ++depth) {
        if (pid == self)
            return true;
        auto status = readProcStatus(pid);
        if (!status)
            return false;
        pid = status->parent;
    }
    return false;
}

// A process that is not dumpable (setuid, prctl(PR_SET_DUMPABLE, 0)) has the files in its /proc
// directory owned by root. (Not always the directory itself: Linux 6.x leaves /proc/PID to its user.)
bool looksNonDumpable(pid_t pid, const ProcStatus& target)
{
    struct stat st { };
    return ::stat(("/proc/" + std::to_string(pid) + "/environ").c_str(), &st) == 0 && st.st_uid == 0
        && target.uids[1] != 0;
}

std::string owner(const ProcStatus& target)
{
    return "user " + userName(target.uids[1]) + " (uid " + std::to_string(target.uids[1]) + ")";
}
} // namespace

std::optional<std::string> ptraceDenial(pid_t pid, const ProcStatus& target)
{
    const bool capable = weHavePtraceCapability();
    const int scope = yamaScope();
    if (scope >= 3)
        return "not permitted: kernel.yama.ptrace_scope=3 disables ptrace attach for everyone";
    if (scope == 2 && !capable)
        return "not permitted: kernel.yama.ptrace_scope=2 allows ptrace attach only with CAP_SYS_PTRACE (use sudo)";
    if (capable)
        return std::nullopt;

    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    const bool sameUser = std::all_of(target.uids.begin(), target.uids.begin() + 3, [&](uid_t u) { return u == uid; })
        && std::all_of(target.gids.begin(), target.gids.begin() + 3, [&](gid_t g) { return g == gid; });
    if (!sameUser)
        return "not permitted: process belongs to " + owner(target) + " and gcscope runs as uid " + std::to_string(uid)
            + " without CAP_SYS_PTRACE (run as that user or use sudo)";
    if (looksNonDumpable(pid, target))
        return "not permitted: process is not dumpable (setuid or PR_SET_DUMPABLE=0); use sudo";
    if (scope == 1 && !isOurDescendant(pid))
        return "not permitted: kernel.yama.ptrace_scope=1 allows attaching only to our own descendants "
               "(use sudo, or set the sysctl to 0)";
    return std::nullopt;
}

} // namespace gcscope::discovery
