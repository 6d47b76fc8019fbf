// `gcscope doctor [--json]`: can this machine attach, and where is the agent? The first thing to
// run when an attach is refused, and how the package test proves the installed files are used.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "util/agent_locator.h"

#include <fmt/core.h>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace gcscope::cli {
namespace {

std::string readFirstLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// CAP_SYS_PTRACE (bit 19) in our effective capabilities.
bool hasPtraceCapability()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("CapEff:", 0) == 0)
            return (std::stoull(line.substr(7), nullptr, 16) >> 19) & 1;
    return false;
}

std::string yamaMeaning(const std::string& scope)
{
    if (scope.empty())
        return "no Yama: processes of the same user can be traced";
    if (scope == "0")
        return "classic: processes of the same user can be traced";
    if (scope == "1")
        return "restricted: only descendants (gcscope run) unless root or CAP_SYS_PTRACE";
    if (scope == "2")
        return "admin-only: needs root or CAP_SYS_PTRACE";
    return "no attach: ptrace is disabled until reboot";
}

int runDoctor(bool asJson)
{
    std::string agent, agentError;
    try {
        agent = util::locateAgentLibrary();
    } catch (const std::exception& e) {
        agentError = e.what();
    }
    const std::string yama = readFirstLine("/proc/sys/kernel/yama/ptrace_scope");
    const bool capability = hasPtraceCapability();
    const bool root = geteuid() == 0;
    const bool canAttachOthers = root || capability;
    const bool canAttachOwn = yama.empty() || yama == "0" || ((yama == "1" || yama == "2") && canAttachOthers);
    if (asJson) {
        nlohmann::json out { { "version", GCSCOPE_VERSION }, { "executable", util::executableDirectory() },
            { "agent", agent.empty() ? nlohmann::json(nullptr) : nlohmann::json(agent) },
            { "agent_error", agentError.empty() ? nlohmann::json(nullptr) : nlohmann::json(agentError) },
            { "yama_ptrace_scope", yama.empty() ? nlohmann::json(nullptr) : nlohmann::json(yama) },
            { "cap_sys_ptrace", capability }, { "root", root }, { "can_attach_own_processes", canAttachOwn },
            { "can_attach_other_users", canAttachOthers }, { "supported_python", { "3.11" } } };
        fmt::print("{}\n", out.dump(2));
    } else {
        fmt::print("gcscope {}\n", GCSCOPE_VERSION);
        fmt::print("agent:           {}\n", agent.empty() ? "NOT FOUND: " + agentError : agent);
        fmt::print("ptrace scope:    {}\n", yamaMeaning(yama));
        fmt::print("privileges:      {}{}\n", root ? "root" : "user " + std::to_string(geteuid()),
            capability ? " with CAP_SYS_PTRACE" : "");
        fmt::print("can attach to:   {}\n",
            canAttachOthers ? "any process"
                            : (canAttachOwn ? "your own processes" : "processes gcscope starts (gcscope run)"));
        fmt::print("Python versions: 3.11 (see docs/python-versions.md for the others)\n");
    }
    return agent.empty() ? kFailure : kOk;
}

} // namespace

Command addDoctorCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("doctor", "Check whether gcscope can attach on this machine");
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Print JSON");
    return { sub, [json] { return runDoctor(*json); } };
}

} // namespace gcscope::cli
