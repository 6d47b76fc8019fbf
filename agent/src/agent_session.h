// One profiling session, run on the agent's own thread from connect to Bye: handshake, version
// gate, callback installation, the telemetry loop and the wind-down that leaves the target as it
// was (no callback, no thread state, no descriptor of ours).
#pragma once

#include "census.h"
#include "gc_module.h"
#include "interpreter_thread_state.h"
#include "profiler_connection.h"
#include "python_compat.h"
#include "snapshot_child.h"
#include "snapshot_taker.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::agent {

class AgentSession {
public:
    explicit AgentSession(wire::AgentConfig config)
        : config_(std::move(config))
    {
    }
    void run();

private:
    bool handshake();
    bool waitForConfigure();
    bool applyConfigure(const std::string& payload, bool& accepted);
    bool waitForInterpreter();
    bool startProfiling();
    bool installExitHoldIfWanted(std::string& error); // GIL held; true when not wanted or installed
    void loop();
    // Returns false when the session must end (reason in windDownReason_).
    bool handle(const IncomingFrame& frame);
    bool sampleAndSend();
    bool censusAndSend();
    std::int64_t nextCensusDelayNs() const;
    bool collectAndAck(int generation);
    bool snapshotAndSend(const wire::SnapshotRequestRecord& request);
    // NotStarted: no child was made (the reason in `note`), walk in the target instead. Done: the
    // snapshot or its failure was sent. Ended: the session must end.
    enum class ChildAttempt { NotStarted, Done, Ended };
    ChildAttempt snapshotByChild(const wire::SnapshotRequestRecord& request, std::string& note);
    [[noreturn]] void runSnapshotChild(SnapshotChild& child, const wire::SnapshotRequestRecord& request,
        SnapshotTaker::WalkPlan& plan, const AgentObjects& ours);
    bool snapshotInProcess(const wire::SnapshotRequestRecord& request, const std::string& note);
    bool sendSnapshot(const HeapSnapshot& snapshot);
    bool finalizing() const;
    void windDown();

    // Passes `sent` through; a failed send means the profiler is gone.
    bool stillConnected(bool sent);
    bool sendError(std::uint32_t code, const std::string& message);
    bool sendAck(wire::MessageType command, std::int64_t value = 0);
    void sendBye(const std::string& reason);

    void schedule(std::int64_t nowNs);

    wire::AgentConfig config_;
    ProfilerConnection connection_;
    RuntimeVersion runtime_;
    InterpreterThreadState threadState_;
    GcModule gc_;
    CensusTaker census_;
    SnapshotTaker snapshots_;
    bool profiling_ = false; // callback installed, modules open: the wind-down has work to undo

    std::uint32_t intervalMs_ = 100;
    std::uint32_t censusEveryMs_ = 0;
    bool holdExit_ = false; // the profiler asked for kConfigureHoldExit
    bool exitHoldInstalled_ = false;
    bool exitingSent_ = false;
    std::int64_t nextSampleNs_ = 0;
    std::int64_t nextCensusNs_ = 0;
    std::int64_t lastCensusPauseNs_ = 0;
    static constexpr std::int64_t kCensusTimeShare = 100; // a census may hold the GIL 1% of the time
    std::vector<IncomingFrame> pending_;
    std::string windDownReason_;
};

} // namespace gcscope::agent
