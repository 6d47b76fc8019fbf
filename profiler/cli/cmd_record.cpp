// `gcscope record --pid PID -o FILE` and `gcscope run -o FILE -- CMD ARGS...`.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "report/Format.h"
#include "report/ReportText.h"
#include "report/ReportWriter.h"
#include "session/launch.h"
#include "session/recording.h"
#include "snapshot/snapshot_store.h"
#include "util/phase_trace.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Recorder.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace gcscope::cli {
namespace {

struct RecordArgs {
    std::string output;
    double durationS = 0;
    std::uint32_t intervalMs = 100;
    double censusEveryS = 1; // at most this often: the agent stretches it to keep a census under 1% of the time
    double snapshotEveryS = 0;
    bool snapshotAtEnd = false;
    bool noStrings = false;
    bool noFork = false;
    bool noSummary = false;
};

// What the recording says of leaks, as `gcscope report` would: one line per suspect, or why there
// is none, or that the evidence cannot tell yet and what to do. Never fails the recording.
void printLeakSummary(const std::string& path, std::int64_t sessionId)
{
    try {
        auto db = storage::Database::openForReading(path);
        report::ReportOptions options;
        options.sessionId = sessionId;
        const auto r = report::buildReport(db, options);
        printNote(report::headline(r));
        for (const auto& s : r.suspects)
            printNote(fmt::format("  {}{} {} ({}){}", s.type, s.userClass.empty() ? "" : " (" + s.userClass + ")",
                report::formatSignedCount(s.countDelta), report::formatSignedBytes(s.sizeDelta),
                s.owner.empty() ? "" : ", held by " + s.owner));
        if (!r.suspects.empty())
            printNote("details: gcscope report " + path);
    } catch (const std::exception& e) {
        printWarning(std::string("no leak summary: ") + e.what());
    }
}

void addSnapshotOptions(CLI::App* sub, RecordArgs& a, bool periodic)
{
    if (periodic) {
        sub->add_option("--snapshot-every", a.snapshotEveryS, "Take a heap snapshot every S seconds")
            ->check(CLI::Range(0.1, 86400.0));
        sub->add_flag("--snapshot-at-end", a.snapshotAtEnd,
            "Take a heap snapshot before detaching (also when the program exits by itself)");
    }
    sub->add_flag(
        "--no-strings", a.noStrings, "Leave string contents out of snapshot labels (for processes holding secrets)");
    sub->add_flag("--no-fork", a.noFork,
        "Walk the heap in the target, which pauses for the whole walk, instead of in a copy-on-write child of it "
        "(the target then pauses only to be cloned)");
    if (periodic)
        sub->add_flag("--no-summary", a.noSummary, "Do not end with the leak suspects the recording shows");
}

void addRecordingOptions(CLI::App* sub, RecordArgs& a)
{
    sub->add_option("-o,--output", a.output, "SQLite file to record into (appended to if it exists)")->required();
    sub->add_option("--duration", a.durationS, "Stop after this many seconds (default: until Ctrl-C or exit)")
        ->check(CLI::Range(0.0, 1e7));
    sub->add_option("--interval", a.intervalMs, "Milliseconds between telemetry samples")
        ->check(CLI::Range(1u, 60000u))
        ->capture_default_str();
    sub->add_option("--census-every", a.censusEveryS,
           "Seconds between per-type censuses at most (stretched so a census holds the GIL under 1% of the time; "
           "0: never)")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str();
}

session::RecordOptions toOptions(const RecordArgs& a)
{
    session::RecordOptions o;
    o.intervalMs = a.intervalMs;
    o.censusEveryMs = static_cast<std::uint32_t>(a.censusEveryS * 1000.0);
    if (a.durationS > 0)
        o.duration = std::chrono::milliseconds(static_cast<long long>(a.durationS * 1000.0));
    if (a.snapshotEveryS > 0)
        o.snapshotEvery = std::chrono::milliseconds(static_cast<long long>(a.snapshotEveryS * 1000.0));
    o.snapshotAtEnd = a.snapshotAtEnd;
    o.snapshot.noStrings = a.noStrings;
    o.snapshot.inProcess = a.noFork;
    return o;
}

// Attach to `pid`, record into args.output, print the summary. Shared by record and run.
int recordInto(pid_t pid, const RecordArgs& args, session::RecordOptions options)
{
    // Open (and validate) the output before touching the target: a bad file must cost nothing.
    util::markPhase("start");
    const bool existed = std::filesystem::exists(args.output);
    auto db = storage::Database::openForWriting(args.output);
    session::AttachedAgent agent;
    try {
        agent = session::attachAgent(pid);
        util::markPhase("attached");
    } catch (const session::AttachError& e) {
        if (!existed) { // leave no empty recording behind for an attach that never happened
            db.close();
            std::filesystem::remove(args.output);
        }
        printError(e.what());
        return kFailure;
    }
    const bool snapshotOnly = options.duration && options.duration->count() == 0;
    if (snapshotOnly)
        printNote("attached to PID " + std::to_string(pid) + " (Python "
            + (agent.process.python ? agent.process.python->str() : "?") + "); taking a heap snapshot");
    else
        printNote("recording PID " + std::to_string(pid) + " (Python "
            + (agent.process.python ? agent.process.python->str() : "?") + ") into " + args.output
            + (options.duration ? "" : "; Ctrl-C to stop"));
    storage::Recorder recorder(db);
    const auto pythonVersion = agent.process.python ? agent.process.python->str() : std::string();
    // On a terminal, a line that says how far each snapshot is: walked, received, stored.
    TerminalProgress progress;
    options.snapshot.progress = [&progress](std::uint64_t received, std::uint64_t expected) {
        if (expected == 0)
            progress.show("snapshot: the heap is being walked (the target runs on)", 0, 0);
        else
            progress.show("snapshot: received", received, expected);
    };
    // Stores while the graph is built, on a second thread: the progress line is all it shows.
    options.saveSnapshot = [&](const snapshot::ReceivedSnapshot& snap, const analysis::HeapGraph& graph,
                               const analysis::ReadyObjects& ready, std::int64_t sessionId) {
        auto meta = snapshot::receivedMeta(snap, sessionId, pid, pythonVersion, options.snapshot.noStrings);
        meta.alone = snapshotOnly; // a recording may have readers following it: they go on reading
        return snapshot::saveSnapshot(
            db, graph, meta,
            [&progress](
                std::uint64_t stored, std::uint64_t total) { progress.show("snapshot: stored", stored, total); },
            &ready);
    };
    options.snapshotSaved = [&](const snapshot::ReceivedSnapshot& snap, std::int64_t id) {
        printNote(fmt::format("snapshot {} of PID {}: {} objects, {} references; the target paused {:.1f} ms ({}); "
                              "saved to {}",
            id, pid, snap.graph.objectCount(), snap.graph.edgeCount(), static_cast<double>(snap.begin.pauseNs) / 1e6,
            snapshot::methodText(
                snap.begin.method == wire::SnapshotMethod::Child, snap.begin.methodNote, snap.end.extraMemoryBytes),
            args.output));
    };
    auto result = session::record(agent, recorder, options, g_stopSignal, printWarning);
    util::markPhase("recording ended");
    if (!snapshotOnly)
        printNote("saved " + std::to_string(result.samples) + " samples, " + std::to_string(result.gcEvents)
            + " gc events, " + std::to_string(result.censuses) + " censuses over "
            + std::to_string(static_cast<int>(result.seconds + 0.5)) + " s to " + args.output + " (session "
            + std::to_string(result.sessionId) + ", " + (result.complete ? "complete" : "incomplete") + ": "
            + result.endReason + ")");
    if (result.childStatus)
        printNote("the command " + session::describeWaitStatus(*result.childStatus));
    if (!snapshotOnly && !args.noSummary && result.sessionId > 0)
        printLeakSummary(args.output, result.sessionId);
    if (options.snapshotAtEnd && result.snapshots == 0) {
        printError("no snapshot of PID " + std::to_string(pid) + ": " + result.snapshotError);
        return kFailure;
    }
    return result.complete ? kOk : kFailure;
}

// `run` starts the command, waits until it is a running Python interpreter, then attaches.
int runCommand(const RecordArgs& args, const std::vector<std::string>& command)
{
    {
        // Validate the output before starting anything; recordInto opens it again once Python runs.
        const bool existed = std::filesystem::exists(args.output);
        auto probe = storage::Database::openForWriting(args.output);
        if (!existed) {
            probe.close();
            std::filesystem::remove(args.output);
        }
    }
    pid_t child = 0;
    try {
        session::LaunchOptions launch;
        launch.stop = &g_stopSignal;
        child = session::launchPython(command, launch);
    } catch (const session::LaunchError& e) {
        printError(e.what());
        return kFailure;
    }
    session::RecordOptions options = toOptions(args);
    options.mode = "run";
    options.child = child;
    int rc = recordInto(child, args, options);
    // The recording ended before the command: a signal stopped us. Pass it on so Ctrl-C ends both.
    int status = 0;
    if (int sig = g_stopSignal.load(); sig && waitpid(child, &status, WNOHANG) == 0) {
        kill(child, sig);
        for (int i = 0; i < 100 && waitpid(child, &status, WNOHANG) == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return rc;
}

} // namespace

Command addRecordCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("record", "Attach to a running Python process and record its GC telemetry");
    auto args = std::make_shared<RecordArgs>();
    auto pid = std::make_shared<int>(0);
    sub->add_option("-p,--pid", *pid, "Process to attach to")->required()->check(CLI::Range(1, 1 << 30));
    addRecordingOptions(sub, *args);
    addSnapshotOptions(sub, *args, true);
    return { sub, [args, pid] {
                installStopHandlers();
                return recordInto(*pid, *args, toOptions(*args));
            } };
}

Command addSnapshotCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("snapshot", "Attach, take one heap snapshot, detach (appends to FILE)");
    auto args = std::make_shared<RecordArgs>();
    auto pid = std::make_shared<int>(0);
    sub->add_option("-p,--pid", *pid, "Process to attach to")->required()->check(CLI::Range(1, 1 << 30));
    sub->add_option("-o,--output", args->output, "SQLite file to add the snapshot to")->required();
    addSnapshotOptions(sub, *args, false);
    return { sub, [args, pid] {
                installStopHandlers();
                auto options = toOptions(*args);
                options.intervalMs = 1000;
                options.censusEveryMs = 0;
                options.duration = std::chrono::milliseconds(0);
                options.snapshotAtEnd = true;
                return recordInto(*pid, *args, options);
            } };
}

Command addRunCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("run", "Start a Python program and record its GC telemetry until it exits");
    auto args = std::make_shared<RecordArgs>();
    auto command = std::make_shared<std::vector<std::string>>();
    addRecordingOptions(sub, *args);
    addSnapshotOptions(sub, *args, true);
    sub->add_option("command", *command, "The command to run, after --")->required();
    return { sub, [args, command] {
                installStopHandlers();
                return runCommand(*args, *command);
            } };
}

} // namespace gcscope::cli
