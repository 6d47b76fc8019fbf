// `gcscope doctor [--json]`: can this machine attach, and where is the agent? The first thing to
// run when an attach is refused, and how the package test proves the installed files are used.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "discovery/version_support.h"
#include "util/agent_locator.h"
#include "util/huge_pages.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
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

// One row per line of versions the table tells apart, as this installation serves them.
struct VersionRow {
    const char* versions;
    std::uint32_t hex; // a representative release
};
constexpr VersionRow kRows[] = {
    { "3.11", 0x030b07f0 },
    { "3.12", 0x030c03f0 },
    { "3.13", 0x030d00f0 },
    { "3.14.0-3.14.4", 0x030e00f0 },
    { "3.14.5+", 0x030e05f0 },
    { "3.15", 0x030f00f0 },
};

int runDoctor(bool asJson)
{
    util::AgentLibraries agents;
    std::string agentError;
    try {
        agents = util::locateAgentLibraries();
    } catch (const std::exception& e) {
        agentError = e.what();
    }
    const std::string forced = util::forcedAgentForm();
    nlohmann::json versions = nlohmann::json::array();
    for (const VersionRow& row : kRows) {
        discovery::InterpreterFacts facts;
        facts.version = discovery::versionFromHex(row.hex);
        const auto support = discovery::supportFor(facts, agents.forms, forced);
        versions.push_back({ { "versions", row.versions }, { "supported", support.supported },
            { "form", support.supported ? nlohmann::json(support.form) : nlohmann::json(nullptr) },
            { "untested", support.untested }, { "gc", discovery::gcModelName(support.gc) },
            { "description", support.supported ? discovery::describeForm(support) : support.reason } });
    }
    const std::string yama = readFirstLine("/proc/sys/kernel/yama/ptrace_scope");
    const bool capability = hasPtraceCapability();
    const bool root = geteuid() == 0;
    const bool canAttachOthers = root || capability;
    const bool canAttachOwn = yama.empty() || yama == "0" || ((yama == "1" || yama == "2") && canAttachOthers);
    const bool found = agentError.empty();
    const auto hugePages = util::hugePageStatus();
    const std::uint64_t hugeBacked = util::measureHugePageBacking();
    if (asJson) {
        nlohmann::json out { { "version", GCSCOPE_VERSION }, { "executable", util::executableDirectory() },
            { "agent", found ? nlohmann::json(agents.directory) : nlohmann::json(nullptr) },
            { "agent_forms", agents.forms },
            { "agent_error", found ? nlohmann::json(nullptr) : nlohmann::json(agentError) },
            { "forced_agent_form", forced.empty() ? nlohmann::json(nullptr) : nlohmann::json(forced) },
            { "yama_ptrace_scope", yama.empty() ? nlohmann::json(nullptr) : nlohmann::json(yama) },
            { "cap_sys_ptrace", capability }, { "root", root }, { "can_attach_own_processes", canAttachOwn },
            { "can_attach_other_users", canAttachOthers }, { "python_versions", versions },
            { "free_threaded", "refused" },
            { "huge_pages",
                { { "mode", util::hugePageModeName(hugePages.mode) },
                    { "kernel",
                        hugePages.kernelSetting.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(hugePages.kernelSetting) },
                    { "detail", hugePages.detail }, { "test_block_bytes", 8 << 20 },
                    { "test_block_huge_bytes", hugeBacked } } } };
        fmt::print("{}\n", out.dump(2));
    } else {
        fmt::print("gcscope {}\n", GCSCOPE_VERSION);
        if (found)
            fmt::print("agent:           {} ({})\n", agents.directory, fmt::join(agents.forms, ", "));
        else
            fmt::print("agent:           NOT FOUND: {}\n", agentError);
        if (!forced.empty())
            fmt::print("agent form:      {} for every target (GCSCOPE_AGENT_FORM)\n", forced);
        fmt::print("ptrace scope:    {}\n", yamaMeaning(yama));
        fmt::print("privileges:      {}{}\n", root ? "root" : "user " + std::to_string(geteuid()),
            capability ? " with CAP_SYS_PTRACE" : "");
        fmt::print("can attach to:   {}\n",
            canAttachOthers ? "any process"
                            : (canAttachOwn ? "your own processes" : "processes gcscope starts (gcscope run)"));
        fmt::print("huge pages:      {}; {} of an 8 MiB test block in 2 MiB pages\n", hugePages.detail,
            hugeBacked == 0 ? std::string("none") : fmt::format("{} MiB", hugeBacked >> 20));
        fmt::print("Python versions:\n");
        for (const auto& v : versions)
            fmt::print("  {:<15}{}\n", v["versions"].get<std::string>(), v["description"].get<std::string>());
        fmt::print("  {:<15}{}\n", "free-threaded", "refused (PEP 703 builds have no generational lists or GIL)");
        fmt::print("  {:<15}{}\n", "3.16 and later", "refused until gcscope knows their layout");
    }
    return found ? kOk : kFailure;
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
