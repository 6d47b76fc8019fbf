#include "app/RecordingWorker.h"

#include "session/attach.h"
#include "session/launch.h"
#include "session/recording.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/StorageError.h>

#include <csignal>
#include <filesystem>
#include <optional>

namespace gcscope::ui {

namespace {

// A program we launched: terminated unless it already ended, so it never runs on headless.
class LaunchedChild {
public:
    explicit LaunchedChild(pid_t pid)
        : pid_(pid)
    {
    }
    ~LaunchedChild() { end(); }
    LaunchedChild(const LaunchedChild&) = delete;
    LaunchedChild& operator=(const LaunchedChild&) = delete;

    std::optional<int> end()
    {
        if (pid_ > 0 && !ended_) {
            ended_ = true;
            status_ = session::terminateChild(pid_, SIGTERM, std::chrono::seconds(5));
        }
        return status_;
    }
    void reapedElsewhere(int status)
    {
        ended_ = true;
        status_ = status;
    }

private:
    pid_t pid_;
    bool ended_ = false;
    std::optional<int> status_;
};

QString joined(const QStringList& parts)
{
    return parts.join(QLatin1Char(' '));
}

} // namespace

void runRecording(const RecordingRequest& request, const RecordingSignals& control, const RecordingCallbacks& report)
{
    const std::string output = request.outputPath.toStdString();
    const bool existed = std::filesystem::exists(output);
    std::optional<storage::Database> db;
    try {
        // Open (and validate) the output before touching any process: a bad file must cost nothing.
        db.emplace(storage::Database::openForWriting(output));
    } catch (const std::exception& e) {
        report.failed(QString::fromStdString(e.what()));
        return;
    }
    auto forgetNewFile = [&] {
        if (existed)
            return;
        db->close();
        std::error_code ec;
        std::filesystem::remove(output, ec); // no empty recording for a target we never recorded
    };

    pid_t pid = static_cast<pid_t>(request.pid);
    std::optional<LaunchedChild> child;
    if (request.kind == RecordingRequest::Kind::Launch) {
        std::vector<std::string> command;
        for (const auto& part : request.command)
            command.push_back(part.toStdString());
        session::LaunchOptions launch;
        launch.stop = &control.stop;
        launch.workingDirectory = request.workingDirectory.toStdString();
        launch.stdinFromDevNull = true;
        try {
            pid = session::launchPython(command, launch);
        } catch (const std::exception& e) {
            forgetNewFile();
            report.failed(QString::fromStdString(e.what()));
            return;
        }
        child.emplace(pid);
    }

    session::AttachedAgent agent;
    try {
        agent = session::attachAgent(pid);
    } catch (const std::exception& e) {
        forgetNewFile();
        report.failed(QString::fromStdString(e.what()));
        return;
    }

    RecordingStarted started;
    started.path = request.outputPath;
    started.pid = pid;
    started.pythonVersion = QString::fromStdString(agent.process.python ? agent.process.python->str() : std::string());
    QStringList argv;
    for (const auto& a : agent.process.argv)
        argv << QString::fromStdString(a);
    started.commandLine = argv.isEmpty() ? joined(request.command) : joined(argv);
    started.launched = child.has_value();
    report.started(started);

    RecordingEnded ended;
    ended.path = request.outputPath;
    try {
        storage::Recorder recorder(*db);
        session::RecordOptions options;
        options.intervalMs = request.intervalMs;
        options.censusEveryMs = request.censusEveryMs;
        options.snapshot.noStrings = request.noStrings;
        options.snapshot.inProcess = request.noFork;
        options.snapshotAtEnd = request.snapshotAtEnd;
        options.snapshotRequests = &control.snapshotRequests;
        if (child) {
            options.mode = "run";
            options.child = pid;
        }
        const std::string pythonVersion = started.pythonVersion.toStdString();
        // Stores while the graph is built, on a second thread (session::RecordOptions::saveSnapshot);
        // the GUI hears of it once it is saved, from this one.
        options.saveSnapshot = [&](const snapshot::ReceivedSnapshot& snap, const analysis::HeapGraph& graph,
                                   const analysis::ReadyObjects& ready, std::int64_t sessionId) {
            return snapshot::saveSnapshot(*db, graph,
                snapshot::receivedMeta(snap, sessionId, pid, pythonVersion, options.snapshot.noStrings), {}, &ready);
        };
        options.snapshotSaved = [&](const snapshot::ReceivedSnapshot&, std::int64_t id) { report.snapshotSaved(id); };
        const auto result = session::record(agent, recorder, options, control.stop,
            [&](const std::string& message) { report.warning(QString::fromStdString(message)); });
        if (child && result.childStatus)
            child->reapedElsewhere(*result.childStatus);
        ended.sessionId = result.sessionId;
        ended.complete = result.complete;
        ended.endReason = QString::fromStdString(result.endReason);
        ended.samples = result.samples;
        ended.gcEvents = result.gcEvents;
        ended.censuses = result.censuses;
        ended.snapshots = result.snapshots;
        ended.seconds = result.seconds;
    } catch (const std::exception& e) {
        ended.error = QString::fromStdString(e.what());
    }
    if (child)
        if (const auto status = child->end())
            ended.commandStatus = QString::fromStdString(session::describeWaitStatus(*status));
    try {
        db->close(); // a finished recording is one file again (WAL folded in)
    } catch (const std::exception& e) {
        if (ended.error.isEmpty())
            ended.error = QString::fromStdString(e.what());
    }
    report.finished(ended);
}

} // namespace gcscope::ui
