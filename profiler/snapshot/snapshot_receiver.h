// Turns the agent's snapshot frames (Begin, Strings, Objects, Refcounts, End) into a HeapGraph.
#pragma once

#include "analysis/HeapGraphBuilder.h"
#include "session/agent_connection.h"

#include <gcscope/storage/TypeIds.h>
#include <gcscope/wire.h>

#include <functional>
#include <string>
#include <vector>

namespace gcscope::snapshot {

struct ReceivedSnapshot {
    wire::SnapshotBeginRecord begin;
    wire::SnapshotEndRecord end;
    analysis::HeapGraph graph;
    std::uint64_t unresolvedReferences = 0; // references to objects the snapshot does not hold
};

class SnapshotReceiver {
public:
    explicit SnapshotReceiver(std::uint32_t snapshotId);

    enum class Status { More, Done, Failed };
    // Feeds one snapshot frame (or an Error frame). After Done, call finish(); after Failed, error().
    Status take(const session::Frame& frame);
    static bool isSnapshotFrame(wire::MessageType type);

    const std::string& error() const { return error_; }
    std::uint64_t objectsReceived() const { return objects_; }
    // The payload bytes of the snapshot's frames so far.
    std::uint64_t bytesReceived() const { return bytes_; }
    // What the agent said it would send: an estimate when a child sends while it walks.
    std::uint64_t expectedObjects() const { return begin_.expectedObjects; }
    // Builds the graph. `alongside`, when set, runs on a second thread meanwhile with the snapshot's
    // begin and end (its graph not yet moved in) and the graph being built, as
    // analysis::HeapGraphBuilder::build(alongside) says: it can store the snapshot while its
    // references are resolved.
    using WhileBuilding = std::function<void(
        const ReceivedSnapshot& header, const analysis::HeapGraph& graph, const analysis::ReadyObjects& ready)>;
    ReceivedSnapshot finish(const WhileBuilding& alongside = {});
    // The graph finish() returns is only stored: byAddress() is not made (HeapGraphBuilder::omitAddressOrder).
    void omitAddressOrder() { builder_.omitAddressOrder(); }

private:
    Status fail(std::string message);
    std::uint32_t typeIndex(std::uint32_t stringId);
    std::uint32_t stringIndex(std::uint32_t stringId) const;
    std::uint32_t edgeLabel(std::uint32_t wireLabel) const;

    std::uint32_t id_;
    bool begun_ = false;
    wire::SnapshotBeginRecord begin_;
    wire::SnapshotEndRecord end_;
    storage::StringTable strings_ { "" }; // the agent's string table, id 0 = ""
    storage::TypeIds typeOf_; // agent string id -> builder type index
    analysis::HeapGraphBuilder builder_;
    std::uint64_t objects_ = 0;
    std::uint64_t references_ = 0;
    std::uint64_t bytes_ = 0;
    // The last object added and its address: records marked kObjectContinued extend it.
    analysis::ObjectId lastObject_ = analysis::kNoObject;
    std::uint64_t lastAddress_ = 0;
    bool refcountsTaken_ = false;
    std::string error_;
};

} // namespace gcscope::snapshot
