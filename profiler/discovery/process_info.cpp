#include "discovery/process_info.h"

#include "discovery/proc_maps.h"
#include "discovery/proc_status.h"
#include "discovery/ptrace_permission.h"
#include "discovery/python_binary.h"

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
    if (auto support = supportFor(*info.python); !support.supported)
        return support.reason;
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
