#include "util/proc_stats.h"

#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

namespace gcscope::util {
namespace {

int countEntries(const std::string& dir)
{
    DIR* d = opendir(dir.c_str());
    if (!d)
        return -1;
    int n = 0;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    closedir(d);
    return n;
}

char processState(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return 0;
    // The command name may contain spaces and parentheses: the state follows the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return 0;
    return line[close + 2];
}

// "Key:   1234 kB" in /proc/meminfo, in bytes.
std::optional<std::uint64_t> meminfoField(const std::string& key)
{
    std::ifstream in("/proc/meminfo");
    std::string name;
    std::uint64_t kilobytes = 0;
    std::string unit;
    while (in >> name >> kilobytes) {
        std::getline(in, unit);
        if (name == key)
            return kilobytes * 1024;
    }
    return std::nullopt;
}

// What this process's cgroup (v2, "0::/path" in /proc/self/cgroup) has left under its memory.max;
// nullopt without a limit.
std::optional<std::uint64_t> cgroupRoom()
{
    std::ifstream groups("/proc/self/cgroup");
    std::string line;
    while (std::getline(groups, line)) {
        if (line.rfind("0::", 0) != 0)
            continue;
        const std::string dir = "/sys/fs/cgroup" + line.substr(3);
        std::ifstream maxFile(dir + "/memory.max"), currentFile(dir + "/memory.current");
        std::uint64_t max = 0, current = 0;
        if (!(maxFile >> max) || !(currentFile >> current)) // "max": no limit
            return std::nullopt;
        return max > current ? max - current : 0;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> availableMemoryBytes()
{
    auto available = meminfoField("MemAvailable:");
    if (!available)
        return std::nullopt;
    if (const auto room = cgroupRoom(); room && *room < *available)
        return room;
    return available;
}

bool processAlive(pid_t pid)
{
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return false;
    char state = processState(pid);
    return state != 0 && state != 'Z' && state != 'X';
}

std::optional<ProcStats> readProcStats(pid_t pid)
{
    const std::string base = "/proc/" + std::to_string(pid);
    std::ifstream statm(base + "/statm");
    long long size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return std::nullopt;
    if (!processAlive(pid))
        return std::nullopt;
    ProcStats s;
    s.rssBytes = resident * sysconf(_SC_PAGESIZE);
    s.threads = countEntries(base + "/task");
    s.fds = countEntries(base + "/fd");
    return s;
}

} // namespace gcscope::util
