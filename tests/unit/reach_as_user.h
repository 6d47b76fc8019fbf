// Whether another user can reach the files a test hands it. Root passes every permission check, so
// a forked child drops to that user and tries. A tree cloned under a folder only root may enter
// (mktemp -d makes one 0700) is out of that user's reach: the test skips naming that folder instead
// of failing. The same probe as unreachable_as() in tests/integration/gcs_testlib.py.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <grp.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace gcscope::test {

namespace reach {

inline std::string described(const std::filesystem::path& path)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0)
        return path.string();
    char text[64];
    std::snprintf(text, sizeof text, " (mode %04o, owner uid %u)", static_cast<unsigned>(st.st_mode & 07777),
        static_cast<unsigned>(st.st_uid));
    return path.string() + text;
}

// Run as the user: what stops them reaching `path`, or "" (a missing path is for the test to report).
inline std::string obstacleOnTheWay(const std::filesystem::path& path)
{
    std::filesystem::path here = "/";
    for (const auto& part : path.relative_path()) {
        if (part.empty())
            continue;
        const std::filesystem::path there = here / part;
        struct stat st { };
        if (::stat(there.c_str(), &st) != 0)
            return errno == EACCES ? described(here) + " is not searchable" : std::string {};
        here = there;
    }
    struct stat st { };
    const bool directory = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (::access(path.c_str(), directory ? X_OK : R_OK) != 0 && errno == EACCES)
        return described(path) + (directory ? " is not searchable" : " is not readable");
    return {};
}

} // namespace reach

// nullopt when uid, with group gid and no other groups, can search every directory on the way to
// each of `paths` and read it (search it, for a directory); else one line naming what is in the way.
inline std::optional<std::string> unreachableAs(uid_t uid, gid_t gid, const std::vector<std::string>& paths)
{
    const std::string who = "uid " + std::to_string(uid);
    // Both ways the kernel may walk: the path as written and, through any symlink, where it leads.
    std::vector<std::pair<std::string, std::filesystem::path>> ways;
    for (const auto& path : paths) {
        const auto written = std::filesystem::absolute(path).lexically_normal();
        std::error_code ec;
        const auto real = std::filesystem::canonical(written, ec);
        if (!ec && real != written)
            ways.emplace_back(path, real);
        ways.emplace_back(path, written);
    }
    int pipeFds[2];
    if (::pipe(pipeFds) != 0)
        return "cannot ask " + who + " what it can reach: pipe: " + std::strerror(errno);
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return "cannot ask " + who + " what it can reach: fork: " + std::strerror(errno);
    }
    if (child == 0) {
        ::close(pipeFds[0]);
        std::string reason;
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            reason = "cannot become " + who + ": " + std::strerror(errno);
        else
            for (const auto& [path, way] : ways)
                if (auto obstacle = reach::obstacleOnTheWay(way); !obstacle.empty()) {
                    reason = who + " cannot reach " + path + ": " + obstacle;
                    break;
                }
        [[maybe_unused]] auto n = ::write(pipeFds[1], reason.data(), reason.size());
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    std::string reason;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        reason.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipeFds[0]);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) { }
    if (reason.empty())
        return std::nullopt;
    return reason;
}

} // namespace gcscope::test
