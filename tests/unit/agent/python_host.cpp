#include "python_host.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
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

namespace {
std::string underscored(std::string text)
{
    std::replace(text.begin(), text.end(), '.', '_');
    return text;
}

TestInterpreter onThisMachine(const std::string& name, const std::string& python, const std::string& form)
{
    return { name, python, "", form };
}

TestInterpreter inSidRoot(const std::string& minor, const std::string& form)
{
    return { "sid_" + underscored(minor), "/usr/bin/python" + minor, GCSCOPE_TEST_SID_ROOT, form };
}

std::vector<TestInterpreter> exactList()
{
    return {
        onThisMachine("debian_3_11", "/usr/bin/python3.11", "py311"),
        onThisMachine("pyenv_3_11_7", "/root/.pyenv/versions/3.11.7/bin/python3.11", "py311"),
        onThisMachine("pyenv_3_13_0", "/root/.pyenv/versions/3.13.0/bin/python3.13", "py313"),
        inSidRoot("3.13", "py313"),
        inSidRoot("3.14", "py314"),
        inSidRoot("3.15", "py315"),
    };
}
} // namespace

std::string TestInterpreter::unavailable() const
{
    if (!root.empty() && access((root + "/.gcscope-ready").c_str(), F_OK) != 0)
        return "no sid root at " + root + " (bash scripts/sid-pythons.sh root)";
    if (!isExecutable(root + python))
        return root + python + " is not installed here";
    if (!isExecutable(agentFile()) && access(agentFile().c_str(), R_OK) != 0)
        return "the agent form " + form + " was not built (" + agentFile() + ")";
    return {};
}

std::string TestInterpreter::agentFile() const
{
    return std::string(GCSCOPE_TEST_AGENT_DIR) + "/libgcscope_agent_" + form + ".so";
}

const std::vector<TestInterpreter>& exactInterpreters()
{
    static const std::vector<TestInterpreter> list = exactList();
    return list;
}

const std::vector<TestInterpreter>& portableInterpreters()
{
    static const std::vector<TestInterpreter> list = [] {
        std::vector<TestInterpreter> out;
        for (TestInterpreter i : exactList()) {
            i.name += "_portable";
            i.form = "portable";
            out.push_back(i);
        }
        out.push_back(
            onThisMachine("pyenv_3_12_1_portable", "/root/.pyenv/versions/3.12.1/bin/python3.12", "portable"));
        return out;
    }();
    return list;
}

const std::vector<TestInterpreter>& allInterpreters()
{
    static const std::vector<TestInterpreter> list = [] {
        std::vector<TestInterpreter> out = exactInterpreters();
        out.insert(out.end(), portableInterpreters().begin(), portableInterpreters().end());
        return out;
    }();
    return list;
}

std::string interpreterName(const ::testing::TestParamInfo<TestInterpreter>& info)
{
    return info.param.name;
}

void PrintTo(const TestInterpreter& i, std::ostream* os)
{
    *os << (i.root.empty() ? "" : "chroot " + i.root + " ") << i.python << " with the " << i.form << " agent";
}

SharedFolder::SharedFolder(const std::string& root)
{
    std::string pattern = root + "/tmp/gcscope-agent-test-XXXXXX";
    if (!mkdtemp(pattern.data())) // 0700
        return;
    outside_ = pattern;
    inside_ = outside_.substr(root.size());
}

SharedFolder::~SharedFolder()
{
    if (outside_.empty())
        return;
    std::error_code ec;
    std::filesystem::remove_all(outside_, ec);
}

std::string SharedFolder::copyIn(const std::string& file)
{
    const std::string name = std::filesystem::path(file).filename().string();
    std::error_code ec;
    std::filesystem::copy_file(file, outside_ + "/" + name, std::filesystem::copy_options::overwrite_existing, ec);
    return ec ? std::string {} : inside_ + "/" + name;
}

PythonHost::PythonHost(const TestInterpreter& interpreter, SharedFolder& folder)
{
    const std::string script = folder.copyIn(std::string(GCSCOPE_SOURCE_DIR) + "/tests/targets/agent_host.py");
    if (script.empty())
        return;
    if (interpreter.root.empty())
        launch({ interpreter.python, "-I", script });
    else
        // As a container runs it: its own mount namespace with its own /proc, and another root. The
        // shell and chroot exec what follows, so the interpreter keeps this PID.
        launch({ "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount -t proc proc \"$1/proc\" && exec /usr/sbin/chroot \"$1\" \"$2\" -I \"$3\"", "sh", interpreter.root,
            interpreter.python, script });
}

PythonHost::PythonHost(const std::string& python)
{
    const std::string script = std::string(GCSCOPE_SOURCE_DIR) + "/tests/targets/agent_host.py";
    launch({ python, "-I", script });
}

void PythonHost::launch(const std::vector<std::string>& argv)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return;
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        // -I: no user site, no PYTHON* variables: the same interpreter state on every machine.
        // chroot execs the interpreter: the process keeps this PID.
        execv(args[0], args.data());
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
