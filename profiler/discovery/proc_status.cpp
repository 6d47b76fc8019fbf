#include "discovery/proc_status.h"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <pwd.h>
#include <sstream>
#include <unistd.h>

namespace gcscope::discovery {

namespace {
template <typename T, std::size_t N> void readIds(std::istringstream& in, std::array<T, N>& ids)
{
    for (auto& id : ids)
        in >> id;
}
} // namespace

std::optional<ProcStatus> readProcStatus(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in)
        return std::nullopt;
    ProcStatus status;
    bool sawState = false;
    for (std::string line; std::getline(in, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string key = line.substr(0, colon);
        std::istringstream value(line.substr(colon + 1));
        if (key == "Name") {
            status.name = line.substr(colon + 1);
            status.name.erase(0, status.name.find_first_not_of(" \t"));
        } else if (key == "State") {
            value >> status.state;
            sawState = true;
        } else if (key == "PPid") {
            value >> status.parent;
        } else if (key == "TracerPid") {
            value >> status.tracerPid;
        } else if (key == "NSpid") {
            // Its PID in each PID namespace it is in, outermost first: the last is its own getpid().
            for (pid_t p = 0; value >> p;)
                status.pidInside = p;
        } else if (key == "Uid") {
            readIds(value, status.uids);
        } else if (key == "Gid") {
            readIds(value, status.gids);
        } else if (key == "Groups") {
            status.groups.assign(std::istream_iterator<gid_t>(value), std::istream_iterator<gid_t>());
        }
    }
    if (!sawState)
        return std::nullopt;
    return status;
}

std::vector<std::string> readCmdline(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> argv;
    for (std::string arg; std::getline(in, arg, '\0');)
        argv.push_back(arg);
    return argv;
}

std::string userName(uid_t uid)
{
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd entry {};
    passwd* found = nullptr;
    while (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == ERANGE)
        buffer.resize(buffer.size() * 2);
    return found ? std::string(found->pw_name) : std::to_string(uid);
}

} // namespace gcscope::discovery
