#include "util/private_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <optional>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace gcscope::util {

namespace {
// Who made a directory: our PID namespace, PID and start time (clock ticks since boot), so that a
// later gcscope can tell the directory of a profiler that was killed from one still in use, even
// when the PID has been reused or the directory is seen from another PID namespace.
struct Maker {
    unsigned long long pidNamespace = 0;
    long long pid = 0;
    unsigned long long startTicks = 0;
};

unsigned long long pidNamespaceInode()
{
    struct stat st {};
    return ::stat("/proc/self/ns/pid", &st) == 0 ? static_cast<unsigned long long>(st.st_ino) : 0;
}

// Field 22 of /proc/PID/stat; 0 when the process does not exist.
unsigned long long startTicksOf(long long pid)
{
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "re");
    if (!f)
        return 0;
    char buf[1024];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* p = std::strrchr(buf, ')'); // the command may hold spaces and parentheses
    if (!p)
        return 0;
    int field = 2;
    for (++p; *p && field < 22; ++p)
        if (*p == ' ')
            ++field;
    return std::strtoull(p, nullptr, 10);
}

Maker self()
{
    const long long pid = ::getpid();
    return { pidNamespaceInode(), pid, startTicksOf(pid) };
}

std::string prefixOf(const Maker& m)
{
    return "gcscope-" + std::to_string(m.pidNamespace) + "-" + std::to_string(m.pid) + "-"
        + std::to_string(m.startTicks) + "-";
}

std::optional<Maker> makerOf(const std::string& name)
{
    Maker m;
    char tail[16] = {};
    if (std::sscanf(name.c_str(), "gcscope-%llu-%lld-%llu-%15s", &m.pidNamespace, &m.pid, &m.startTicks, tail) != 4
        || std::strlen(tail) != 6)
        return std::nullopt;
    return m;
}
} // namespace

std::size_t removeAbandonedDirectories(const std::string& base)
{
    const Maker me = self();
    std::size_t removed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
        const std::string name = entry.path().filename().string();
        const auto maker = makerOf(name);
        // Only directories made from our PID namespace can be judged by their PID.
        if (!maker || maker->pidNamespace != me.pidNamespace || maker->pid == me.pid)
            continue;
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (startTicksOf(maker->pid) == maker->startTicks)
            continue; // its gcscope still runs
        std::error_code removeError;
        if (std::filesystem::remove_all(entry.path(), removeError) > 0 && !removeError)
            ++removed;
    }
    return removed;
}

PrivateDirectory::PrivateDirectory(uid_t owner)
    : owner_(owner)
{
    std::string base = "/tmp";
    // $XDG_RUNTIME_DIR belongs to the profiler's user; the target of another user could not enter it.
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg && owner == geteuid())
        base = xdg;
    create(base);
    insidePath_ = path_;
}

PrivateDirectory::PrivateDirectory(uid_t owner, const std::string& base, const std::string& insideBase)
    : owner_(owner)
{
    create(base);
    insidePath_ = insideBase + path_.substr(base.size());
}

void PrivateDirectory::create(const std::string& base)
{
    const uid_t owner = owner_;
    removeAbandonedDirectories(base); // of a gcscope killed while it attached
    std::string templ = base + "/" + prefixOf(self()) + "XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) // mkdtemp creates it 0700
        throw std::runtime_error("cannot create a private directory in " + base + ": " + std::strerror(errno));
    path_ = buf.data();
    if (owner != geteuid() && chown(path_.c_str(), owner, static_cast<gid_t>(-1)) != 0) {
        int err = errno;
        rmdir(path_.c_str());
        throw std::runtime_error(
            "cannot hand " + path_ + " to uid " + std::to_string(owner) + ": " + std::strerror(err));
    }
}

PrivateDirectory::~PrivateDirectory()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace gcscope::util
