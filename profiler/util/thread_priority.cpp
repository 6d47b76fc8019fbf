#include "util/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>

namespace gcscope::util {

std::optional<int> threadNice(pid_t tid)
{
    errno = 0; // -1 is a nice value too
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    if (errno != 0)
        return std::nullopt;
    return nice;
}

int thisThreadNice()
{
    return threadNice(::gettid()).value_or(0);
}

void yieldThisThreadTo(int nice)
{
    const int own = thisThreadNice();
    const int target = std::min(nice, kLowestNice);
    if (target > own)
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), target);
}

std::vector<std::pair<pid_t, int>> threadNices()
{
    std::vector<std::pair<pid_t, int>> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", error)) {
        const auto tid = static_cast<pid_t>(std::stoi(entry.path().filename().string()));
        if (const auto nice = threadNice(tid))
            out.emplace_back(tid, *nice);
    }
    return out;
}

} // namespace gcscope::util
