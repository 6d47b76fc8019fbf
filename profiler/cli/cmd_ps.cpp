// `gcscope ps [--json]`: the local Python processes and whether gcscope can attach to each.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "discovery/process_info.h"

#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace gcscope::cli {
namespace {

// One line: control characters (a `python -c` program's newlines) shown as spaces.
std::string joinArgv(const std::vector<std::string>& argv)
{
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty())
            out += ' ';
        for (char c : a)
            out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
    return out;
}

nlohmann::json containerJson(const discovery::ContainerView& c)
{
    if (!c.contained())
        return nullptr;
    return { { "root", c.root.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.root) },
        { "mount_namespace", c.otherMountNamespace }, { "pid_namespace", c.otherPidNamespace },
        { "user_namespace", c.otherUserNamespace },
        { "pid_inside", c.pidInside > 0 ? nlohmann::json(c.pidInside) : nlohmann::json(nullptr) } };
}

int runPs(bool json)
{
    auto processes = discovery::listPythonProcesses();
    if (json) {
        auto arr = nlohmann::json::array();
        for (const auto& p : processes)
            arr.push_back({ { "pid", p.pid }, { "user", p.user }, { "uid", p.uid },
                { "python", p.python ? nlohmann::json(p.python->str()) : nlohmann::json(nullptr) },
                { "executable", p.exe }, { "argv", p.argv }, { "attachable", p.attachable },
                { "reason", p.attachable ? nlohmann::json(nullptr) : nlohmann::json(p.reason) },
                { "free_threaded", p.facts.freeThreaded },
                { "agent_form", p.attachable ? nlohmann::json(p.support.form) : nlohmann::json(nullptr) },
                { "untested", p.attachable && p.support.untested }, { "container", containerJson(p.container) },
                { "gc",
                    p.attachable ? nlohmann::json(discovery::gcModelName(p.support.gc)) : nlohmann::json(nullptr) } });
        fmt::print("{}\n", arr.dump(2));
        return kOk;
    }
    if (processes.empty()) {
        fmt::print("No Python processes found.\n");
        return kOk;
    }
    fmt::print("{:>8}  {:<12} {:<8} {:<6} {:<14} {}\n", "PID", "USER", "PYTHON", "ATTACH", "AGENT", "COMMAND");
    for (const auto& p : processes) {
        const std::string form = !p.attachable           ? "-"
            : p.support.form == discovery::kPortableForm ? (p.support.untested ? "portable (!)" : "portable")
                                                         : "exact";
        fmt::print("{:>8}  {:<12} {:<8} {:<6} {:<14} {}\n", p.pid, p.user.substr(0, 12),
            p.python ? p.python->str() : "?", p.attachable ? "yes" : "no", form, joinArgv(p.argv).substr(0, 100));
        if (p.container.contained())
            fmt::print("{:>8}  {:<12} {}\n", "", "", "  in a container: " + p.container.describe());
        if (p.attachable && p.support.untested)
            fmt::print("{:>8}  {:<12} {}\n", "", "", "  (!) portable agent, untested on this version");
        if (!p.attachable)
            fmt::print("{:>8}  {:<12} {}\n", "", "", "  why not: " + p.reason);
    }
    return kOk;
}

} // namespace

Command addPsCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("ps", "List local Python processes and whether gcscope can attach");
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Print JSON");
    return { sub, [json] { return runPs(*json); } };
}

} // namespace gcscope::cli
