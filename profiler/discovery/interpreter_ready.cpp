#include "discovery/interpreter_ready.h"

#include "discovery/proc_maps.h"
#include "discovery/proc_status.h"
#include "discovery/python_binary.h"
#include "discovery/remote_read.h"
#include "discovery/version_support.h"

#include <filesystem>
#include <thread>

namespace gcscope::discovery {

namespace {
constexpr auto kPollInterval = std::chrono::milliseconds(5);

enum class Readiness { NotYet, Ready, Failed };

Readiness check(pid_t pid, std::string& error, std::string& lastWhy)
{
    const std::string name = "process " + std::to_string(pid);
    auto status = readProcStatus(pid);
    if (!status || status->state == 'Z' || status->state == 'X') {
        error = name + " exited before its Python interpreter was ready";
        return Readiness::Failed;
    }
    std::error_code ec;
    std::string exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
    auto maps = readProcMaps(pid, error);
    if (ec || !maps) {
        lastWhy = "cannot read its executable or memory map";
        return Readiness::NotYet;
    }
    auto binary = findPythonBinary(pid, *maps, exe);
    if (!binary || !binary->version) {
        lastWhy = "it is not running Python (" + exe + ")";
        return Readiness::NotYet; // maybe still a shell, a shim or a fork before exec
    }
    if (auto support = supportFor(*binary->version); !support.supported) {
        error = name + ": " + support.reason;
        return Readiness::Failed;
    }
    // Only the executable's name is known so far: libpython is not mapped yet.
    auto offset = runtimeInitializedOffset(*binary->version);
    if (binary->version->hex == 0 || !binary->runtimeAddress || !offset) {
        lastWhy = "the interpreter (_PyRuntime) is not loaded yet";
        return Readiness::NotYet;
    }
    int initialized = 0;
    if (!readRemote(pid, *binary->runtimeAddress + *offset, &initialized, sizeof initialized)) {
        lastWhy = "cannot read _PyRuntime.initialized";
        return Readiness::NotYet;
    }
    lastWhy = "Py_Initialize has not finished";
    return initialized != 0 ? Readiness::Ready : Readiness::NotYet;
}
} // namespace

bool waitForInterpreterReady(pid_t pid, std::chrono::milliseconds timeout, std::string& error)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string lastWhy = "no check made";
    for (;;) {
        switch (check(pid, error, lastWhy)) {
        case Readiness::Ready:
            error.clear();
            return true;
        case Readiness::Failed:
            return false;
        case Readiness::NotYet:
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            error = "process " + std::to_string(pid) + ": Python interpreter not ready after "
                + std::to_string(timeout.count()) + " ms (" + lastWhy + ")";
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

} // namespace gcscope::discovery
