#include "session/recording.h"

#include "util/clock.h"
#include "util/proc_stats.h"

#include <gcscope/storage/Recorder.h>

#include <algorithm>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace gcscope::session {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string hostName()
{
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

std::string pythonVersionText(const AttachedAgent& agent)
{
    if (agent.process.python)
        return agent.process.python->str();
    const auto v = agent.hello.pythonVersionHex;
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." + std::to_string((v >> 8) & 0xff);
}

// Writes what the agent sends; the counts feed the summary line.
class FrameSink {
public:
    FrameSink(storage::Recorder& recorder, std::int64_t session, RecordResult& result,
        const std::function<void(const std::string&)>& warn)
        : recorder_(recorder)
        , session_(session)
        , result_(result)
        , warn_(warn)
    {
    }

    // Returns false when the frame says the agent is leaving (Bye).
    bool take(const Frame& f)
    {
        using wire::MessageType;
        switch (f.type) {
        case MessageType::Sample:
            if (auto s = wire::decodeAs<wire::SampleRecord>(f.payload)) {
                recorder_.addSample(session_, *s);
                ++result_.samples;
            } else
                malformed("sample");
            return true;
        case MessageType::GcEvents:
            if (auto ev = wire::decodeAs<wire::GcEventsRecord>(f.payload)) {
                recorder_.addGcEvents(session_, ev->events, ev->dropped);
                result_.gcEvents += ev->events.size();
                if (ev->dropped)
                    warn_("the agent dropped " + std::to_string(ev->dropped) + " gc events (buffer full)");
            } else
                malformed("gc events");
            return true;
        case MessageType::Census:
            if (auto c = wire::decodeAs<wire::CensusRecord>(f.payload)) {
                recorder_.addCensus(session_, *c);
                ++result_.censuses;
            } else
                malformed("census");
            return true;
        case MessageType::Error:
            if (auto e = wire::decodeAs<wire::ErrorRecord>(f.payload))
                warn_("agent: " + e->message);
            return true;
        case MessageType::Bye:
            if (auto b = wire::decodeAs<wire::ByeRecord>(f.payload))
                byeReason = b->reason;
            return false;
        case MessageType::Exiting:
            exiting = true; // the program waits in its exit for our last snapshot and detach
            return true;
        default:
            return true; // Ack and Hello carry nothing to store
        }
    }

    std::string byeReason;
    bool exiting = false;

private:
    void malformed(const char* what) { warn_(std::string("ignored a malformed ") + what + " message from the agent"); }

    storage::Recorder& recorder_;
    std::int64_t session_;
    RecordResult& result_;
    const std::function<void(const std::string&)>& warn_;
};

// Run mode: "the command exited with status 0", "... on signal 9".
std::string commandExitReason(const RecordResult& result)
{
    std::string reason = "the command exited";
    if (result.childStatus && WIFEXITED(*result.childStatus))
        reason += " with status " + std::to_string(WEXITSTATUS(*result.childStatus));
    else if (result.childStatus && WIFSIGNALED(*result.childStatus))
        reason += " on signal " + std::to_string(WTERMSIG(*result.childStatus));
    return reason;
}

// Run mode: reap our child once it exits, keeping its status.
bool childExited(pid_t child, RecordResult& result)
{
    if (child <= 0)
        return false;
    if (result.childStatus)
        return true;
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
        result.childStatus = status;
        return true;
    }
    return false;
}

// Gives the target up to `tries` × 25 ms to end: our child reaped (run mode), or, attached, PID gone.
void waitForTargetExit(pid_t child, pid_t pid, RecordResult& result, int tries)
{
    for (int i = 0; i < tries && !childExited(child, result) && (child > 0 || util::processAlive(pid)); ++i)
        usleep(25'000);
}

} // namespace

RecordResult record(AttachedAgent& agent, storage::Recorder& recorder, const RecordOptions& options,
    const std::atomic<int>& stop, const std::function<void(const std::string&)>& warn)
{
    RecordResult result;
    const pid_t pid = agent.process.pid;

    storage::NewSession ns;
    ns.pid = pid;
    ns.pythonVersion = pythonVersionText(agent);
    ns.pythonExecutable = agent.hello.pythonExecutable.empty() ? agent.process.exe : agent.hello.pythonExecutable;
    ns.argv = agent.process.argv;
    ns.mode = options.mode == "run" ? storage::SessionMode::Run : storage::SessionMode::Attach;
    ns.startedNs = util::realtimeNs();
    ns.intervalMs = options.intervalMs;
    ns.censusEveryMs = options.censusEveryMs;
    ns.hostname = hostName();
    ns.gcscopeVersion = GCSCOPE_VERSION;
    ns.agentForm = agent.process.support.form;
    ns.gcModel = discovery::gcModelName(agent.process.support.gc);
    result.sessionId = recorder.beginSession(ns);
    recorder.flush(); // the session row exists on disk even if we are killed right now

    FrameSink sink(recorder, result.sessionId, result, warn);
    wire::ConfigureRecord cfg;
    cfg.intervalMs = options.intervalMs;
    cfg.censusEveryMs = options.censusEveryMs;
    // A program that ends by itself waits for the last snapshot (not needed by a snapshot-and-go).
    if (options.snapshotAtEnd && !(options.duration && options.duration->count() == 0))
        cfg.flags |= wire::kConfigureHoldExit;
    const auto started = Clock::now();
    bool agentGone = !agent.connection.send(wire::frameOf(wire::MessageType::Configure, cfg));
    std::string reason = agentGone ? "the agent closed the connection at start" : "";
    bool complete = false;

    // A heap snapshot in the middle of the telemetry stream: frames that are not part of it go to
    // the sink as usual. Returns false when the agent is gone afterwards.
    const bool snapshotOnly = options.duration && options.duration->count() == 0; // gcscope snapshot
    auto takeSnapshot = [&]() {
        recorder.flush(); // the snapshot is written in its own transaction
        try {
            std::int64_t storedId = 0;
            snapshot::SnapshotReceiver::WhileBuilding store;
            if (options.saveSnapshot)
                store = [&](const snapshot::ReceivedSnapshot& header, const analysis::HeapGraph& graph,
                            const analysis::ReadyObjects& ready) {
                    storedId = options.saveSnapshot(header, graph, ready, result.sessionId);
                };
            auto request = options.snapshot;
            request.addressOrder = false; // the graph is stored and dropped
            auto snap = snapshot::requestSnapshot(
                agent.connection, static_cast<std::uint32_t>(result.snapshots + 1), request,
                [&](const Frame& f) {
                    if (!sink.take(f))
                        agentGone = true;
                },
                store);
            if (options.snapshotSaved && options.saveSnapshot)
                options.snapshotSaved(snap, storedId);
            ++result.snapshots;
        } catch (const snapshot::SnapshotError& e) {
            result.snapshotError = e.what();
            if (!snapshotOnly) // a session that is one snapshot reports its failure as its result, once
                warn(e.what());
            if (!agent.connection.open() || !util::processAlive(pid))
                agentGone = true;
        } catch (const std::exception& e) {
            // A stream that does not add up (two objects at one address...) or one the file could not
            // take: this snapshot is lost, the session goes on and still gets its end recorded.
            result.snapshotError = std::string("snapshot failed: ") + e.what();
            if (!snapshotOnly)
                warn(result.snapshotError);
        }
        if (agentGone && reason.empty())
            reason = "the agent left during a snapshot";
        return !agentGone;
    };

    const milliseconds procEvery { std::max<std::uint32_t>(options.intervalMs, 50) };
    auto nextProc = started;
    int snapshotsRequested = options.snapshotRequests ? options.snapshotRequests->load() : 0;
    auto nextSnapshot = options.snapshotEvery ? started + *options.snapshotEvery : Clock::time_point::max();
    std::optional<Clock::time_point> lastPeriodicSnapshot;
    Frame f; // one for all: a frame's payload reuses the memory of the one before
    while (!agentGone) {
        const auto now = Clock::now();
        if (stop.load()) {
            reason = stop.load() == SIGTERM ? "terminated" : "interrupted";
            complete = true;
            break;
        }
        if (sink.exiting) {
            reason = "the program exited";
            complete = true;
            break;
        }
        // Snapshots fall due on a fixed schedule (every S from the start, a snapshot's own time not
        // pushing the next ones back), the one due at the end of the duration included: 12 s with
        // one every 4 s gives three.
        if (now >= nextSnapshot && (!options.duration || nextSnapshot - started <= *options.duration)) {
            if (!takeSnapshot())
                break;
            lastPeriodicSnapshot = Clock::now();
            while (nextSnapshot <= Clock::now())
                nextSnapshot += *options.snapshotEvery;
            continue;
        }
        if (options.duration && now - started >= *options.duration) {
            reason = options.duration->count() == 0 ? storage::kSnapshotTakenReason : "duration reached";
            complete = true;
            break;
        }
        if (options.snapshotRequests && options.snapshotRequests->load() > snapshotsRequested) {
            ++snapshotsRequested;
            if (!takeSnapshot())
                break;
            continue;
        }
        if (now >= nextProc) {
            nextProc = now + procEvery;
            if (auto s = util::readProcStats(pid))
                recorder.addProcessSample(result.sessionId, util::realtimeNs(), static_cast<std::uint64_t>(s->rssBytes),
                    static_cast<std::uint32_t>(s->threads), static_cast<std::uint32_t>(std::max(s->fds, 0)));
        }
        switch (agent.connection.read(f, milliseconds(50))) {
        case AgentConnection::ReadStatus::Frame:
            if (!sink.take(f)) {
                agentGone = true;
                reason = "the agent left: " + sink.byeReason;
            }
            break;
        case AgentConnection::ReadStatus::Timeout:
            recorder.commitIfDue(); // a quiet target still gets its rows on disk
            break;
        case AgentConnection::ReadStatus::Closed:
            agentGone = true;
            reason = "agent disconnected";
            break;
        case AgentConnection::ReadStatus::ProtocolError:
            agentGone = true;
            reason = "protocol error: " + agent.connection.error();
            break;
        }
    }

    // The end's snapshot, unless the schedule just took one (a second of the same heap adds nothing).
    const bool justTaken = lastPeriodicSnapshot && Clock::now() - *lastPeriodicSnapshot < std::chrono::seconds(1);
    if (!agentGone && options.snapshotAtEnd && !justTaken && !takeSnapshot()) {
        complete = false;
        reason = "the target exited during the final snapshot";
    }
    if (!agentGone) {
        // Clean stop: ask the agent to wind down and keep what it still sends until its Bye.
        // (Also when the send failed: an agent that is gone reads as closed at once.)
        agent.connection.send(wire::frame(wire::MessageType::Detach, {}));
        bool answered = false;
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        while (!answered && Clock::now() < deadline) {
            Frame f;
            auto st = agent.connection.read(f, milliseconds(100));
            answered = (st == AgentConnection::ReadStatus::Frame && !sink.take(f))
                || st == AgentConnection::ReadStatus::Closed || st == AgentConnection::ReadStatus::ProtocolError;
        }
        if (!answered) {
            // Stopped (SIGSTOP, a debugger) or stuck in a long C call holding the GIL: we close our end,
            // and the agent winds down as soon as it runs again and sees it.
            warn("the agent in PID " + std::to_string(pid)
                + " did not answer the detach within 5 s (is the process stopped?); it leaves when it runs again");
            reason += " (the agent did not answer the detach)";
        } else if (sink.exiting && options.mode == "run") {
            // Detached, the program goes on with its exit: wait for it (10 s at most) to report its status.
            waitForTargetExit(options.child, pid, result, 400);
            if (result.childStatus)
                reason = commandExitReason(result);
        }
    } else {
        // The connection ended by itself: tell a target that exited from an agent that left. A process
        // closes its descriptors before it becomes a zombie, so give it a moment either way.
        waitForTargetExit(options.child, pid, result, 40);
        if (childExited(options.child, result) || !util::processAlive(pid)) {
            if (options.mode == "run") {
                complete = true;
                reason = commandExitReason(result);
            } else {
                reason = "the target exited during the recording";
            }
        }
    }
    agent.connection.close();
    childExited(options.child, result);

    result.complete = complete;
    result.endReason = reason;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    recorder.endSession(result.sessionId, util::realtimeNs(), complete, reason);
    recorder.flush();
    return result;
}

} // namespace gcscope::session
