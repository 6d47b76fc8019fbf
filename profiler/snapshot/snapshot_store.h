// Heap snapshots in and out of a gcscope database, as analysis::HeapGraph.
#pragma once

#include "analysis/HeapGraph.h"
#include "snapshot/snapshot_receiver.h"

#include <cstdint>
#include <optional>
#include <string>

namespace gcscope::storage {
class Database;
}

namespace gcscope::snapshot {

struct SnapshotMeta {
    std::optional<std::int64_t> sessionId;
    std::int64_t takenNs = 0;
    std::int64_t pauseNs = 0;
    std::int64_t pid = 0;
    std::string pythonVersion;
    bool noStrings = false;
};

// What a recording session stores with a snapshot it just received from the agent in PID.
SnapshotMeta receivedMeta(const ReceivedSnapshot& snapshot, std::int64_t sessionId, std::int64_t pid,
    std::string pythonVersion, bool noStrings);

// Writes the graph in one transaction; returns the new snapshot's id.
std::int64_t saveSnapshot(storage::Database& db, const analysis::HeapGraph& graph, const SnapshotMeta& meta);

// Reads a stored snapshot back (throws storage::StorageError "FILE: no snapshot N").
analysis::HeapGraph loadSnapshot(const storage::Database& db, std::int64_t snapshotId);

} // namespace gcscope::snapshot
