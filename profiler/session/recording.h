// One recording: telemetry from an attached agent into a storage session until something ends it.
#pragma once

#include "session/attach.h"
#include "snapshot/snapshot_request.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace gcscope::storage {
class Recorder;
}

namespace gcscope::session {

struct RecordOptions {
    std::uint32_t intervalMs = 100;
    std::uint32_t censusEveryMs = 1000; // at most this often (the agent stretches it: a census under 1% of the time)
    std::optional<std::chrono::milliseconds> duration; // none: until stopped or the target exits
    std::string mode = "attach"; // "attach" or "run"
    pid_t child = 0; // run mode: our child, reaped here
    std::optional<std::chrono::milliseconds> snapshotEvery; // heap snapshots while recording
    bool snapshotAtEnd = false; // one more heap snapshot before a clean detach
    snapshot::SnapshotOptions snapshot;
    // Another thread (the GUI) asks for a snapshot by incrementing this counter; each increment is
    // served once, between two reads of the agent connection.
    const std::atomic<int>* snapshotRequests = nullptr;
    // Stores a snapshot (the CLI and the GUI write it into the database) and returns its id. Called
    // between batches, on a second thread while the snapshot's graph is being built, which it
    // follows through `ready` (snapshot::SnapshotReceiver::finish).
    std::function<std::int64_t(const snapshot::ReceivedSnapshot& header, const analysis::HeapGraph& graph,
        const analysis::ReadyObjects& ready, std::int64_t sessionId)>
        saveSnapshot;
    // Told once a snapshot is complete and saved, with the id saveSnapshot returned. Its graph is
    // only stored: its address order is left to a first reader (HeapGraph::byAddress).
    std::function<void(const snapshot::ReceivedSnapshot&, std::int64_t snapshotId)> snapshotSaved;
};

struct RecordResult {
    std::int64_t sessionId = 0;
    std::uint64_t samples = 0;
    std::uint64_t gcEvents = 0;
    std::uint64_t censuses = 0;
    std::uint64_t snapshots = 0;
    std::string snapshotError; // the last snapshot that failed, one line
    bool complete = false;
    std::string endReason;
    std::optional<int> childStatus; // run mode: the command's wait status once it exited
    double seconds = 0;
};

// `stop` is raised (to the signal number) by the CLI's SIGINT/SIGTERM handler.
RecordResult record(AttachedAgent& agent, storage::Recorder& recorder, const RecordOptions& options,
    const std::atomic<int>& stop, const std::function<void(const std::string&)>& warn);

} // namespace gcscope::session
