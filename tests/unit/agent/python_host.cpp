#include "python_host.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace gcscope::test {

bool isExecutable(const std::string& path)
{
    return access(path.c_str(), X_OK) == 0;
}

PythonHost::PythonHost(const std::string& python)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return;
    }
    const std::string script = std::string(GCSCOPE_SOURCE_DIR) + "/tests/targets/agent_host.py";
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        // -I: no user site, no PYTHON* variables: the same interpreter state on every machine.
        execl(python.c_str(), python.c_str(), "-I", script.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    toChild_ = in[1];
    fromChild_ = out[0];
    if (pid_ < 0) {
        close(toChild_);
        close(fromChild_);
        toChild_ = fromChild_ = -1;
    }
}

PythonHost::~PythonHost()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (toChild_ >= 0)
        close(toChild_);
    if (fromChild_ >= 0)
        close(fromChild_);
}

nlohmann::json PythonHost::command(const std::string& line, std::chrono::milliseconds timeout)
{
    if (pid_ <= 0)
        return {};
    std::string text = line + "\n";
    if (write(toChild_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return {};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto newline = buffer_.find('\n');
        if (newline != std::string::npos) {
            std::string answer = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return nlohmann::json::parse(answer, nullptr, false);
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return {};
        pollfd p { fromChild_, POLLIN, 0 };
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        char chunk[65536];
        ssize_t n = ::read(fromChild_, chunk, sizeof chunk);
        if (n <= 0)
            return {};
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

int PythonHost::waitForExit(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (std::chrono::steady_clock::now() < deadline);
    return -1;
}

bool PythonHost::waitUntilIdle(std::chrono::milliseconds timeout)
{
    // /proc/PID/syscall of the main thread: "0 0x0 ..." is read(0, ...), i.e. waiting on stdin.
    const std::string path = "/proc/" + std::to_string(pid_) + "/syscall";
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        std::ifstream file(path);
        std::string number, fd;
        if (file >> number >> fd && number == "0" && fd == "0x0")
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

void PythonHost::pauseBriefly()
{
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

} // namespace gcscope::test
