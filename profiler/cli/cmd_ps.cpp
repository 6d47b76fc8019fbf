// `gcscope ps [--json]`: the local Python processes and whether gcscope can attach to each.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "discovery/process_info.h"

#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace gcscope::cli {
namespace {

std::string joinArgv(const std::vector<std::string>& argv)
{
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty())
            out += ' ';
        out += a;
    }
    return out;
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
                { "reason", p.attachable ? nlohmann::json(nullptr) : nlohmann::json(p.reason) } });
        fmt::print("{}\n", arr.dump(2));
        return kOk;
    }
    if (processes.empty()) {
        fmt::print("No Python processes found.\n");
        return kOk;
    }
    fmt::print("{:>8}  {:<12} {:<8} {:<6} {}\n", "PID", "USER", "PYTHON", "ATTACH", "COMMAND");
    for (const auto& p : processes) {
        fmt::print("{:>8}  {:<12} {:<8} {:<6} {}\n", p.pid, p.user.substr(0, 12), p.python ? p.python->str() : "?",
            p.attachable ? "yes" : "no", joinArgv(p.argv).substr(0, 100));
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
