// Asks an attached agent for a heap snapshot and receives it.
#pragma once

#include "session/agent_connection.h"
#include "snapshot/snapshot_receiver.h"

#include <chrono>
#include <functional>
#include <stdexcept>

namespace gcscope::snapshot {

struct SnapshotError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SnapshotOptions {
    bool noStrings = false; // leave string contents out of labels
    // Walk in the target (it pauses for the whole walk) instead of in a copy-on-write child of it
    // (it pauses for the clone): --no-fork.
    bool inProcess = false;
    std::uint32_t maxLabel = 60;
    // Give up when the agent sends nothing for this long (the walk of a 10M-object heap takes seconds;
    // a C extension holding the GIL delays its start).
    std::chrono::milliseconds stallTimeout { 120'000 };
    // The received graph's byAddress (its find()). A snapshot only stored and dropped needs none:
    // false saves sorting every object by address (HeapGraphBuilder::omitAddressOrder).
    bool addressOrder = true;
    // Told the objects received and the objects the snapshot has (0 until its first frame: the heap
    // is being walked) after every frame and every 200 ms without one. May be empty.
    std::function<void(std::uint64_t received, std::uint64_t expected)> progress;
};

// Sends the request and reads frames until the snapshot is complete. Frames that are not part of
// the snapshot (samples, gc events, census) go to `other`, so a recording loses nothing. Throws
// SnapshotError with one line when the agent fails, the target exits, or the stream is malformed.
// `alongside`, when set, runs while the graph is built (SnapshotReceiver::finish): to store it.
ReceivedSnapshot requestSnapshot(session::AgentConnection& connection, std::uint32_t snapshotId,
    const SnapshotOptions& options, const std::function<void(const session::Frame&)>& other,
    const SnapshotReceiver::WhileBuilding& alongside = {});

} // namespace gcscope::snapshot
