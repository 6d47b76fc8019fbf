#include "util/proc_stats.h"

#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fstream>
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

} // namespace

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
