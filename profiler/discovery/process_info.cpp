#include "discovery/process_info.h"

#include "discovery/proc_maps.h"
#include "discovery/proc_status.h"
#include "discovery/ptrace_permission.h"
#include "discovery/python_binary.h"
#include "discovery/remote_read.h"
#include "util/agent_locator.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <system_error>

namespace gcscope::discovery {

namespace {
std::string readExe(pid_t pid, std::error_code& ec)
{
    std::string exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
    if (constexpr std::string_view deleted = " (deleted)"; exe.ends_with(deleted))
        exe.resize(exe.size() - deleted.size());
    return exe;
}

// When /proc/PID/exe and maps are closed to us (another user's process), argv[0] and the
// command name are all there is to go on.
bool looksLikePython(const ProcessInfo& info, const ProcStatus& status)
{
    auto named = [](std::string_view s) {
        const auto slash = s.rfind('/');
        s = slash == std::string_view::npos ? s : s.substr(slash + 1);
        return s.starts_with("python");
    };
    return named(status.name) || (!info.argv.empty() && named(info.argv.front()));
}

// The interpreter's own _Py_DebugOffsets (3.13+, at the start of _PyRuntime): "xdebugpy", the
// version, the free-threading flag, and the size of its collector state.
void readDebugOffsets(pid_t pid, const PythonBinary& binary, InterpreterFacts& facts)
{
    if (!binary.runtimeAddress || facts.version.minor < 13)
        return;
    struct {
        char cookie[8];
        std::uint64_t version;
        std::uint64_t freeThreaded;
    } head {};
    if (!readRemote(pid, *binary.runtimeAddress, &head, sizeof head) || std::string_view(head.cookie, 8) != "xdebugpy")
        return;
    if (head.version != facts.version.hex)
        return; // not the layout the version table describes
    facts.freeThreaded = facts.freeThreaded || head.freeThreaded != 0;
    std::uint64_t gcSize = 0;
    if (auto offset = debugOffsetsGcSizeOffset(facts.version); offset
        && readRemote(pid, *binary.runtimeAddress + *offset, &gcSize, sizeof gcSize) && gcSize > 0 && gcSize < 4096)
        facts.gcStateSize = gcSize;
}

std::vector<std::string> availableForms()
{
    try {
        return util::locateAgentLibraries().forms;
    } catch (const std::exception&) {
        return {};
    }
}

void fillPython(ProcessInfo& info)
{
    std::string error;
    auto maps = readProcMaps(info.pid, error);
    if (!maps)
        return;
    if (auto binary = findPythonBinary(info.pid, *maps, info.exe)) {
        info.isPython = true;
        info.python = binary->version;
        info.pythonBinary = binary->path;
        info.facts.freeThreaded = binary->freeThreaded;
        if (binary->version) {
            info.facts.version = *binary->version;
            readDebugOffsets(info.pid, *binary, info.facts);
            info.support = supportFor(info.facts, availableForms(), util::forcedAgentForm());
        }
    }
}

// The reasons, most fundamental first; the first that applies is the one reported.
std::string whyNotAttachable(const ProcessInfo& info, const ProcStatus& status, bool exeReadable)
{
    const std::string pid = std::to_string(info.pid);
    if (info.state == 'Z' || info.state == 'X')
        return "process " + pid + " is a zombie (it has exited and waits for its parent to reap it)";
    if (!exeReadable) {
        if (auto denial = ptraceDenial(info.pid, status))
            return *denial;
    }
    if (!info.isPython)
        return "process " + pid + " is not a Python process (" + (info.exe.empty() ? status.name : info.exe) + ")";
    if (info.state == 'T')
        return "process " + pid + " is stopped; resume it with kill -CONT " + pid;
    if (info.tracerPid != 0)
        return "process " + pid + " is already traced by PID " + std::to_string(info.tracerPid)
            + " (a debugger or another profiler)";
    if (auto denial = ptraceDenial(info.pid, status))
        return *denial;
    if (!info.python)
        return "process " + pid + ": cannot tell which Python version " + info.pythonBinary + " is";
    if (!info.support.supported)
        return info.support.reason;
    return {};
}
} // namespace

std::optional<ProcessInfo> inspectProcess(pid_t pid, std::string& error)
{
    auto status = pid > 0 ? readProcStatus(pid) : std::nullopt;
    if (!status) {
        error = "no such process: " + std::to_string(pid);
        return std::nullopt;
    }
    ProcessInfo info;
    info.pid = pid;
    info.uid = status->uids[1];
    info.gid = status->gids[1];
    if (auto container = containerOf(pid))
        info.container = std::move(*container);
    info.user = userName(info.uid);
    info.state = status->state;
    info.tracerPid = status->tracerPid;
    info.argv = readCmdline(pid);

    std::error_code ec;
    info.exe = readExe(pid, ec);
    const bool exeReadable = !ec;
    if (exeReadable)
        fillPython(info);
    else if (info.state != 'Z' && info.state != 'X')
        info.isPython = looksLikePython(info, *status);

    info.reason = whyNotAttachable(info, *status, exeReadable);
    info.attachable = info.reason.empty();
    return info;
}

std::vector<ProcessInfo> listPythonProcesses()
{
    std::vector<ProcessInfo> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        pid_t pid = 0;
        auto [end, parseError] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (parseError != std::errc() || end != name.data() + name.size())
            continue;
        std::string error;
        if (auto info = inspectProcess(pid, error); info && info->isPython)
            found.push_back(std::move(*info));
    }
    std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.pid < b.pid; });
    return found;
}

} // namespace gcscope::discovery
