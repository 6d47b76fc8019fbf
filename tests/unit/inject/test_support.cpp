#include "test_support.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace gcscope::test {

std::vector<PythonUnderTest> pythonsUnderTest()
{
    return { { "debian", "/usr/bin/python3.11" }, { "pyenv", "/root/.pyenv/versions/3.11.7/bin/python3.11" } };
}

PythonUnderTest sidPython()
{
    return { "debian_sid", "/usr/bin/python3.14", GCSCOPE_TEST_SID_ROOT,
        { "/usr/bin/python3.13", "/usr/bin/python3.15" } };
}

std::vector<PythonUnderTest> injectTargets()
{
    auto all = pythonsUnderTest();
    all.push_back(sidPython());
    return all;
}

std::optional<std::string> pythonUnavailable(const PythonUnderTest& p, std::string& path)
{
    if (p.root.empty()) {
        path = p.path;
        return std::filesystem::exists(p.path) ? std::nullopt
                                               : std::optional<std::string>(p.path + " is not installed");
    }
    if (::access((p.root + "/.gcscope-ready").c_str(), F_OK) != 0)
        return "no sid root at " + p.root + " (bash scripts/sid-pythons.sh root)";
    std::vector<std::string> candidates = { p.path };
    candidates.insert(candidates.end(), p.orPaths.begin(), p.orPaths.end());
    for (const auto& c : candidates)
        if (::access((p.root + c).c_str(), X_OK) == 0) {
            path = c;
            return std::nullopt;
        }
    return "none of its Pythons is installed in " + p.root;
}

std::vector<std::string> pythonArgv(
    const PythonUnderTest& p, const std::string& python, const std::vector<std::string>& arguments)
{
    std::vector<std::string> argv;
    if (!p.root.empty()) // chroot execs the interpreter: it keeps this PID
        argv = { "/usr/sbin/chroot", p.root, python, "-I" };
    else
        argv = { python };
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return argv;
}

std::optional<std::string> ptraceUnavailable()
{
    const pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    if (child < 0)
        return std::string("fork failed: ") + std::strerror(errno);
    std::optional<std::string> reason;
    if (::ptrace(PTRACE_SEIZE, child, nullptr, nullptr) != 0)
        reason = std::string("PTRACE_SEIZE is not permitted here: ") + std::strerror(errno);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return reason;
}

std::string targetScript()
{
    return GCSCOPE_SOURCE_DIR "/tests/unit/inject/targets/inject_target.py";
}

std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv)
{
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
        return nullptr;
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    ::posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    auto child = std::unique_ptr<ChildProcess>(new ChildProcess);
    const int rc = ::posix_spawn(&child->pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    child->stdin_ = in[1];
    child->stdout_ = out[0];
    if (rc != 0) {
        child->reaped_ = true;
        return nullptr;
    }
    return child;
}

ChildProcess::~ChildProcess()
{
    kill();
    if (stdin_ >= 0)
        ::close(stdin_);
    if (stdout_ >= 0)
        ::close(stdout_);
}

int ChildProcess::kill()
{
    int status = 0;
    if (!reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
    }
    return status;
}

bool ChildProcess::alive() const
{
    if (reaped_)
        return false;
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text;
    std::getline(in, text);
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z' && text[close + 2] != 'X';
}

std::optional<std::string> ChildProcess::readLine(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return line;
        }
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        pollfd p { stdout_, POLLIN, 0 };
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return std::nullopt;
        char chunk[4096];
        const ssize_t n = ::read(stdout_, chunk, sizeof chunk);
        if (n <= 0)
            return std::nullopt;
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

std::optional<std::string> ChildProcess::waitForLine(const std::string& prefix, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto line = readLine(std::max(left, std::chrono::milliseconds(0)));
        if (!line)
            return std::nullopt;
        if (line->starts_with(prefix))
            return line;
    }
}

void ChildProcess::discardOutput()
{
    buffer_.clear();
    pollfd p { stdout_, POLLIN, 0 };
    char chunk[4096];
    while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && ::read(stdout_, chunk, sizeof chunk) > 0) { }
}

void ChildProcess::writeStdin(const std::string& text)
{
    [[maybe_unused]] ssize_t n = ::write(stdin_, text.data(), text.size());
}

RootFolder::RootFolder(std::string root)
    : root_(std::move(root))
{
    std::string pattern = root_ + "/tmp/gcscope-inject-test-XXXXXX";
    if (::mkdtemp(pattern.data()))
        inside_ = pattern.substr(root_.size());
}

RootFolder::~RootFolder()
{
    std::error_code ec;
    if (ok())
        std::filesystem::remove_all(host(inside_), ec);
}

std::string RootFolder::copyIn(const std::string& hostPath) const
{
    if (!ok())
        return {};
    const std::string inside = inside_ + "/" + std::filesystem::path(hostPath).filename().string();
    std::error_code ec;
    std::filesystem::copy_file(hostPath, host(inside), ec);
    return ec ? std::string() : inside;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t countLines(const std::string& text)
{
    std::size_t n = 0;
    for (char c : text)
        n += c == '\n';
    return n;
}

long currentSyscall(pid_t tid)
{
    std::ifstream in("/proc/" + std::to_string(tid) + "/task/" + std::to_string(tid) + "/syscall");
    std::string first;
    in >> first;
    if (first.empty() || first == "running")
        return -1;
    try {
        return std::stol(first);
    } catch (...) {
        return -1;
    }
}

bool waitForSyscall(pid_t pid, long nr, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (currentSyscall(pid) == nr)
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

std::string run(const std::string& command)
{
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buffer[256];
        while (std::fgets(buffer, sizeof buffer, p))
            out += buffer;
        ::pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

} // namespace gcscope::test
