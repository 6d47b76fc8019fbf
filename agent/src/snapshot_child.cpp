#include "snapshot_child.h"

#include "child_heap.h"
#include "clock.h"
#include "mapped_buffer.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

constexpr std::int64_t kPollNs = 2'000'000;
constexpr int kChildOutOfMemory = 71; // no_exceptions_runtime.cpp
constexpr int kChildNice = 10;

// "Key:   1234 kB" lines of a /proc file read whole into `text`: the value in bytes, or 0.
std::uint64_t kilobytesField(const char* text, const char* key)
{
    const char* at = std::strstr(text, key);
    if (!at)
        return 0;
    at += std::strlen(key);
    while (*at == ' ' || *at == '\t')
        ++at;
    std::uint64_t value = 0;
    while (*at >= '0' && *at <= '9')
        value = value * 10 + static_cast<std::uint64_t>(*at++ - '0');
    return value * 1024;
}

// The whole of a small file, NUL-terminated, with system calls only; false if unreadable.
bool readSmallFile(const char* path, char* buffer, std::size_t size)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    std::size_t used = 0;
    while (used + 1 < size) {
        const ssize_t n = ::read(fd, buffer + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += static_cast<std::size_t>(n);
    }
    ::close(fd);
    buffer[used] = '\0';
    return used > 0;
}

// A number of bytes in a cgroup file ("max" is no limit), or -1.
long long cgroupValue(const std::string& path)
{
    char text[64];
    if (!readSmallFile(path.c_str(), text, sizeof text))
        return -1;
    if (std::strncmp(text, "max", 3) == 0)
        return -1;
    return std::strtoll(text, nullptr, 10);
}

// The room the memory cgroups of this process leave (the smallest over the cgroup and its
// ancestors, v2; the memory controller's own, v1), or -1 when none limits it.
long long cgroupRoom(std::string& where)
{
    char text[4096];
    if (!readSmallFile("/proc/self/cgroup", text, sizeof text))
        return -1;
    long long room = -1;
    const auto consider = [&](const std::string& dir, const char* limitName, const char* usageName) {
        const long long limit = cgroupValue(dir + "/" + limitName);
        const long long usage = cgroupValue(dir + "/" + usageName);
        if (limit < 0 || usage < 0 || limit > (1LL << 60))
            return;
        const long long left = limit > usage ? limit - usage : 0;
        if (room < 0 || left < room) {
            room = left;
            where = dir;
        }
    };
    for (char* line = std::strtok(text, "\n"); line; line = std::strtok(nullptr, "\n")) {
        const char* first = std::strchr(line, ':');
        const char* second = first ? std::strchr(first + 1, ':') : nullptr;
        if (!second)
            continue;
        const std::string controllers(first + 1, second);
        std::string path(second + 1);
        if (controllers.empty()) { // v2: the unified hierarchy, limits on the way up count too
            for (;;) {
                consider("/sys/fs/cgroup" + (path == "/" ? std::string() : path), "memory.max", "memory.current");
                if (path == "/" || path.empty())
                    break;
                path = path.substr(0, path.rfind('/'));
                if (path.empty())
                    path = "/";
            }
        } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
            consider("/sys/fs/cgroup/memory" + (path == "/" ? std::string() : path), "memory.limit_in_bytes",
                "memory.usage_in_bytes");
        }
    }
    return room;
}

// When memory runs out, the kernel's OOM killer ends the process it scores highest, and a child
// scores about as high as the target whose pages it shares (its resident pages are the target's).
// The child is only ours: it goes first (any process may raise its own score), so that a snapshot
// that needs more memory than the machine has ends the snapshot, never the target. Best effort.
void goFirstWhenMemoryRunsOut()
{
    const int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)!::write(fd, "1000", 4);
    ::close(fd);
}

std::string mebibytes(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

} // namespace

SnapshotChild::~SnapshotChild()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) { }
    }
    if (progress_)
        ::munmap(progress_, sizeof(ChildProgress));
}

bool SnapshotChild::prepare()
{
    void* page = ::mmap(nullptr, sizeof(ChildProgress), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return false;
    progress_ = new (page) ChildProgress;
    return true;
}

pid_t SnapshotChild::spawn()
{
    // Flags 0: a new process sharing nothing, with no exit signal (its parent learns of its end
    // only through waitpid with __WALL). No stack: the child goes on on a copy of this one, as after
    // fork().
    const long pid = ::syscall(SYS_clone, 0UL, nullptr, nullptr, nullptr, 0UL);
    if (pid > 0)
        pid_ = static_cast<pid_t>(pid);
    return static_cast<pid_t>(pid);
}

void SnapshotChild::enterChild(int keep, void (*beforeNamed)(void*), void* context)
{
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    // Before the name: whoever finds the child by its name finds it holding only its connection.
    closeEveryDescriptorBut(keep);
    goFirstWhenMemoryRunsOut();
    child_heap::activate();
    MappedBuffer::askHugePagesAlways();
    if (beforeNamed)
        beforeNamed(context);
    ::prctl(PR_SET_NAME, "gcscope-snap", 0, 0, 0);
    // The target's own threads come first when they want the CPU: the child walks at its own pace.
    ::setpriority(PRIO_PROCESS, 0, kChildNice);
}

void SnapshotChild::finishInChild(bool ok, std::uint32_t code, const char* message)
{
    // From Walking only: inside a frame the connection is broken whatever the child says, and once
    // the parent stopped the walk its word stands.
    std::uint32_t walking = ChildProgress::Walking;
    if (!ok) {
        std::size_t n = 0;
        for (; message && message[n] && n + 1 < sizeof progress_->message; ++n)
            progress_->message[n] = message[n];
        progress_->message[n] = '\0';
        progress_->errorCode.store(code);
        _exit(progress_->phase.compare_exchange_strong(walking, ChildProgress::Failed) ? 1 : 2);
    }
    progress_->phase.compare_exchange_strong(walking, ChildProgress::Sent);
    _exit(0);
}

bool SnapshotChild::beginFrame()
{
    std::uint32_t walking = ChildProgress::Walking;
    return progress_->phase.compare_exchange_strong(walking, ChildProgress::Sending);
}

void SnapshotChild::endFrame(std::int64_t sendingNs, bool last)
{
    progress_->sendingNs.fetch_add(sendingNs);
    progress_->phase.store(last ? ChildProgress::Sent : ChildProgress::Walking);
}

SnapshotChild::Result SnapshotChild::wait(std::int64_t walkBudgetNs)
{
    Result result;
    int status = 0;
    bool killed = false;
    const std::int64_t startNs = monotonicNs();
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG | __WALL);
        if (r == pid_)
            break;
        if (r < 0 && errno != EINTR) {
            status = 0;
            break; // not ours any more (cannot happen: nobody else waits with __WALL for it)
        }
        // Stopped only between frames: the compare-and-swap fails while the child is inside one.
        std::uint32_t walking = ChildProgress::Walking;
        if (!killed && monotonicNs() - startNs - progress_->sendingNs.load() > walkBudgetNs
            && progress_->phase.compare_exchange_strong(walking, ChildProgress::Stopped)) {
            ::kill(pid_, SIGKILL);
            killed = true;
        }
        timespec pause { 0, kPollNs };
        ::nanosleep(&pause, nullptr);
    }
    pid_ = -1;
    switch (progress_->phase.load()) {
    case ChildProgress::Sent:
        result.outcome = Outcome::Sent;
        return result;
    case ChildProgress::Failed:
        result.outcome = Outcome::Failed;
        result.code = progress_->errorCode.load();
        result.message = progress_->message;
        return result;
    case ChildProgress::Sending:
        result.outcome = Outcome::DiedWhileSending;
        result.code = EPIPE;
        result.message = progress_->message[0] ? std::string(progress_->message)
                                               : "the snapshot's child process ended while sending it";
        return result;
    default:
        break;
    }
    result.outcome = killed ? Outcome::Stalled : Outcome::Failed;
    if (killed) {
        result.code = ETIMEDOUT;
        result.message = "the snapshot's child process did not finish its walk in time and was stopped";
    } else if (WIFSIGNALED(status)) {
        result.code = EINTR;
        result.message = std::string("the snapshot's child process was killed by signal ")
            + std::to_string(WTERMSIG(status)) + " during the walk";
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == kChildOutOfMemory) {
        result.code = ENOMEM;
        result.message = "the snapshot's child process ran out of memory";
    } else {
        result.code = EIO;
        result.message = "the snapshot's child process ended before its walk was done";
    }
    return result;
}

namespace {

bool closeRange(unsigned first, unsigned last)
{
#ifdef SYS_close_range
    return first > last || ::syscall(SYS_close_range, first, last, 0U) == 0;
#else
    (void)first;
    (void)last;
    errno = ENOSYS;
    return false;
#endif
}

// The numbers listed in /proc/self/fd, read with getdents64 into a buffer on the stack (no malloc),
// closed as they come: the listing of a directory being emptied goes on from where it was (as
// CPython's _posixsubprocess relies on). False when /proc is not there.
bool closeListed(int keep)
{
    const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return false;
    alignas(8) char buffer[4096];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dir, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (long at = 0; at < n;) {
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
            unsigned short length;
            std::memcpy(&length, buffer + at + 16, sizeof length);
            const char* name = buffer + at + 19;
            at += length;
            if (name[0] < '0' || name[0] > '9')
                continue;
            int fd = 0;
            for (const char* c = name; *c >= '0' && *c <= '9'; ++c)
                fd = fd * 10 + (*c - '0');
            if (fd != keep && fd != dir)
                ::close(fd);
        }
    }
    ::close(dir);
    return true;
}

} // namespace

void closeEveryDescriptorBut(int keep, CloseMethod how)
{
    if (how == CloseMethod::Best) {
        const auto k = static_cast<unsigned>(keep);
        const bool closed
            = keep < 0 ? closeRange(0, ~0U) : (keep == 0 || closeRange(0, k - 1)) && closeRange(k + 1, ~0U);
        if (closed)
            return;
    }
    if (how != CloseMethod::EveryNumber && closeListed(keep))
        return;
    rlimit limit {};
    long highest = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        highest = static_cast<long>(std::min<rlim_t>(limit.rlim_cur, 1U << 20));
    for (long fd = 0; fd < highest; ++fd)
        if (fd != keep)
            ::close(static_cast<int>(fd));
}

bool roomForChild(std::uint64_t bytes, std::string& reason)
{
    char text[8192];
    if (readSmallFile("/proc/meminfo", text, sizeof text)) {
        const std::uint64_t available = kilobytesField(text, "MemAvailable:");
        if (available > 0 && available < bytes) {
            reason = "a copy-on-write child may need up to " + mebibytes(bytes) + " and the system has "
                + mebibytes(available) + " available";
            return false;
        }
    }
    std::string where;
    const long long room = cgroupRoom(where);
    if (room >= 0 && static_cast<std::uint64_t>(room) < bytes) {
        reason = "a copy-on-write child may need up to " + mebibytes(bytes) + " and the memory cgroup " + where
            + " has " + mebibytes(static_cast<std::uint64_t>(room)) + " left";
        return false;
    }
    return true;
}

std::uint64_t residentAnonymousBytes()
{
    char text[8192];
    return readSmallFile("/proc/self/status", text, sizeof text) ? kilobytesField(text, "RssAnon:") : 0;
}

std::uint64_t privateBytes()
{
    char text[4096];
    if (!readSmallFile("/proc/self/smaps_rollup", text, sizeof text))
        return 0;
    return kilobytesField(text, "Private_Clean:") + kilobytesField(text, "Private_Dirty:");
}

} // namespace gcscope::agent
