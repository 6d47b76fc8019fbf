// The subcommands of the `gcscope` CLI. Each registers its options on the CLI11 app and returns
// an ExitCode when run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gcscope::cli {

using Runner = std::function<int()>;

struct Command {
    CLI::App* sub = nullptr;
    Runner run;
};

Command addPsCommand(CLI::App& app);
Command addRecordCommand(CLI::App& app); // record --pid
Command addRunCommand(CLI::App& app); // run -- CMD
Command addInfoCommand(CLI::App& app);
Command addSnapshotCommand(CLI::App& app); // snapshot --pid
Command addDiffCommand(CLI::App& app);
Command addCyclesCommand(CLI::App& app);
Command addPathsCommand(CLI::App& app);
Command addTopCommand(CLI::App& app);
Command addGrowthCommand(CLI::App& app);
Command addReportCommand(CLI::App& app); // leak report: html, json, md
Command addDoctorCommand(CLI::App& app);

} // namespace gcscope::cli
