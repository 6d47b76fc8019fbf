// gcscope: attach to a running CPython process, record its garbage collector, analyse the results.
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "util/huge_pages.h"
#include "util/oom_priority.h"

#include <cstdlib>

int main(int argc, char** argv)
{
    gcscope::util::startWithHugePages(argv); // may start gcscope again, once: see util/huge_pages.h
    gcscope::util::useOneMallocArena();
    using namespace gcscope::cli;
    CLI::App app { "gcscope: GC and heap profiler for running CPython processes", "gcscope" };
    app.set_version_flag("--version", std::string("gcscope ") + GCSCOPE_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    std::string agentForm;
    app.add_option("--agent-form", agentForm,
           "Attach with this form of the agent instead of the one the version table picks (py311, py313, py314, "
           "py315, portable); the same as GCSCOPE_AGENT_FORM")
        ->type_name("FORM");

    const Command commands[] = {
        addPsCommand(app),
        addRecordCommand(app),
        addRunCommand(app),
        addInfoCommand(app),
        addSnapshotCommand(app),
        addDiffCommand(app),
        addCyclesCommand(app),
        addPathsCommand(app),
        addTopCommand(app),
        addGrowthCommand(app),
        addReportCommand(app),
        addDoctorCommand(app),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        printError(e.what());
        std::fprintf(stderr, "Run 'gcscope --help' for usage.\n");
        return kUsage;
    }
    // The commands that analyse saved snapshots keep the memory they free for their next phase
    // (util/huge_pages.h). Not the recordings, which run for hours and should shrink between
    // snapshots, nor `snapshot`: its store took 1 s longer at 10M objects when it kept memory.
    for (const char* analysing : { "diff", "cycles", "paths", "top", "growth", "report" })
        if (app.got_subcommand(analysing))
            gcscope::util::keepFreedMemory();
    // Should memory run out, gcscope (gigabytes for a big snapshot) is ended, not the program it
    // watches or anything else of the user's; `run`'s program keeps the score gcscope started
    // with (util/oom_priority.h).
    gcscope::util::goFirstWhenMemoryRunsOut();
    if (!agentForm.empty())
        ::setenv("GCSCOPE_AGENT_FORM", agentForm.c_str(), 1); // read by every attach (util::forcedAgentForm)
    for (const auto& command : commands)
        if (command.sub->parsed()) {
            try {
                return command.run();
            } catch (const CLI::Error& e) { // a usage problem found after parsing
                printError(e.what());
                return kUsage;
            } catch (const std::exception& e) {
                printError(e.what());
                return kFailure;
            }
        }
    return kUsage;
}
