#include "session/launch.h"

#include "discovery/interpreter_ready.h"
#include "discovery/process_info.h"
#include "util/oom_priority.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace gcscope::session {

namespace {

// posix_spawn's file actions and attributes, released whatever happens.
class SpawnSetup {
public:
    explicit SpawnSetup(const LaunchOptions& options)
    {
        posix_spawn_file_actions_init(&actions_);
        if (!options.workingDirectory.empty())
            posix_spawn_file_actions_addchdir_np(&actions_, options.workingDirectory.c_str());
        if (options.stdinFromDevNull)
            posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
        posix_spawnattr_init(&attributes_);
        // The child starts with default signal dispositions and an empty mask, whatever ours are
        // (a GUI thread may block signals; the CLI ignores SIGPIPE).
        sigset_t all;
        sigfillset(&all);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigdefault(&attributes_, &all);
        posix_spawnattr_setsigmask(&attributes_, &none);
        posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    }
    ~SpawnSetup()
    {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attributes_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    const posix_spawn_file_actions_t* actions() const { return &actions_; }
    const posix_spawnattr_t* attributes() const { return &attributes_; }

private:
    posix_spawn_file_actions_t actions_;
    posix_spawnattr_t attributes_;
};

} // namespace

std::string describeWaitStatus(int status)
{
    if (WIFEXITED(status))
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "stopped";
}

std::optional<int> terminateChild(pid_t child, int signal, std::chrono::milliseconds grace)
{
    int status = 0;
    const pid_t reaped = waitpid(child, &status, WNOHANG);
    if (reaped == child)
        return status;
    if (reaped < 0)
        return std::nullopt; // not ours any more (reaped elsewhere)
    kill(child, signal);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(child, &status, WNOHANG) == child)
            return status;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(child, SIGKILL);
    if (waitpid(child, &status, 0) == child)
        return status;
    return std::nullopt;
}

pid_t launchPython(const std::vector<std::string>& command, const LaunchOptions& options)
{
    if (command.empty())
        throw LaunchError("no command to run");
    std::vector<char*> argv;
    for (const auto& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t child = 0;
    {
        SpawnSetup setup(options);
        const util::ProgramStart start; // the command gets the OOM score we started with, not ours
        if (int rc = posix_spawnp(&child, argv[0], setup.actions(), setup.attributes(), argv.data(), environ); rc != 0)
            throw LaunchError("cannot run " + command[0] + ": " + std::strerror(rc));
    }
    auto fail = [&](const std::string& message) {
        // The command never became something we could record: do not leave it running headless.
        terminateChild(child, SIGTERM, std::chrono::seconds(5));
        return LaunchError(message);
    };
    std::string error;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
        int status = 0;
        if (waitpid(child, &status, WNOHANG) == child)
            throw LaunchError(
                command[0] + " " + describeWaitStatus(status) + " before a Python interpreter started in it");
        if (options.stop && options.stop->load())
            throw fail("interrupted before " + command[0] + " started Python");
        auto info = discovery::inspectProcess(child, error);
        if (info && info->isPython) {
            if (!info->attachable)
                throw fail("cannot record " + command[0] + " (PID " + std::to_string(child) + "): " + info->reason);
            if (discovery::waitForInterpreterReady(child, options.timeout, error))
                return child;
            throw fail(error);
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw fail(command[0] + " (PID " + std::to_string(child) + ") did not start a Python interpreter within "
                + std::to_string(options.timeout.count() / 1000) + " s");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace gcscope::session
