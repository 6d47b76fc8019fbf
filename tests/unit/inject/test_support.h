// Helpers for the discovery and injector tests: real Python processes as children with pipes on
// stdin/stdout, the two Pythons we support, and a probe of whether ptrace works here at all.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::test {

using namespace std::chrono_literals;

struct PythonUnderTest {
    std::string label; // "debian" / "pyenv": valid in test names
    std::string path; // the real binary, never the pyenv shim; inside `root` when that is set
    std::string root = {}; // "" for this machine's; else the root it runs chrooted in
    std::vector<std::string> orPaths = {}; // in a root: tried after `path` when it is not installed
};

inline void PrintTo(const PythonUnderTest& p, std::ostream* os)
{
    *os << p.label << " (" << p.path << (p.root.empty() ? "" : " in " + p.root) << ")";
}

// Debian's /usr/bin/python3.11 (static libpython, non-PIE) and pyenv's 3.11.7 (shared libpython).
std::vector<PythonUnderTest> pythonsUnderTest();
// A Python of the Debian sid root (scripts/sid-pythons.sh root), chrooted: 3.14, else 3.13 or 3.15.
// Its C library (glibc 2.43) is newer than this machine's; its allocator once made an injection hang.
PythonUnderTest sidPython();
// pythonsUnderTest() and sidPython().
std::vector<PythonUnderTest> injectTargets();
// Why `p` cannot run here (for GTEST_SKIP), or nullopt; sets `path` to the interpreter to run.
std::optional<std::string> pythonUnavailable(const PythonUnderTest& p, std::string& path);
// The argv that runs `python` with `arguments` as `p` says: chrooted (and isolated, -I) in a root.
std::vector<std::string> pythonArgv(
    const PythonUnderTest& p, const std::string& python, const std::vector<std::string>& arguments);

// nullopt when PTRACE_SEIZE on a child of ours works; otherwise why not (for GTEST_SKIP).
std::optional<std::string> ptraceUnavailable();

std::string targetScript(); // tests/unit/inject/targets/inject_target.py

class ChildProcess {
public:
    // Starts argv[0] (a path) with pipes on stdin and stdout; stderr is ours.
    static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv);
    ~ChildProcess(); // SIGKILL and reap
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    // The next stdout line (without '\n'), or nullopt after `timeout` or at end of file.
    std::optional<std::string> readLine(std::chrono::milliseconds timeout);
    // Reads lines until one starts with `prefix`; returns it.
    std::optional<std::string> waitForLine(const std::string& prefix, std::chrono::milliseconds timeout);
    void writeStdin(const std::string& text);
    // Discards what the child has written so far, so the next line read was written after now.
    void discardOutput();

    bool alive() const; // not exited (a zombie counts as exited)
    int kill(); // SIGKILL, reap; returns the wait status

private:
    ChildProcess() = default;

    pid_t pid_ = 0;
    int stdin_ = -1, stdout_ = -1;
    std::string buffer_;
    bool reaped_ = false;
};

// A fresh folder a target can see, removed with its contents: under /tmp, or under the /tmp of the
// root the target runs chrooted in. Paths "inside" are as the target sees them.
class RootFolder {
public:
    explicit RootFolder(std::string root = {});
    ~RootFolder();
    RootFolder(const RootFolder&) = delete;
    RootFolder& operator=(const RootFolder&) = delete;

    bool ok() const { return !inside_.empty(); }
    const std::string& inside() const { return inside_; }
    std::string host(const std::string& insidePath) const { return root_ + insidePath; }
    // Copies a file of this machine in: its path inside, or "" when the copy failed.
    std::string copyIn(const std::string& hostPath) const;

private:
    std::string root_, inside_;
};

std::string readFile(const std::string& path);
std::size_t countLines(const std::string& text);

// The syscall number the thread is blocked in (/proc/PID/task/TID/syscall), -1 when running.
long currentSyscall(pid_t tid);
// Polls until the main thread of `pid` sits in syscall `nr`.
bool waitForSyscall(pid_t pid, long nr, std::chrono::milliseconds timeout);

std::string run(const std::string& command); // popen: stdout of a shell command, trimmed

} // namespace gcscope::test
