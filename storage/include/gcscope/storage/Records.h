// The values the storage layer writes and reads besides the wire records (gcscope/wire.h), which
// are stored and returned as they are. Times are CLOCK_REALTIME nanoseconds since the Unix epoch.
#pragma once

#include <gcscope/wire.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gcscope::storage {

// How the profiler got into the target: attached to a running process, or started it.
enum class SessionMode { Attach, Run };
const char* toString(SessionMode mode); // "attach" / "run", as stored

struct NewSession {
    std::int64_t pid = 0;
    std::string pythonVersion; // "3.11.2"
    std::string pythonExecutable;
    std::vector<std::string> argv; // the target's command line
    SessionMode mode = SessionMode::Attach;
    std::int64_t startedNs = 0;
    std::uint32_t intervalMs = 0; // telemetry sample period asked of the agent
    std::uint32_t censusEveryMs = 0; // 0: no periodic census
    std::string hostname;
    std::string gcscopeVersion;
    std::string agentForm; // "py311" ... "portable"; "" when not recorded (files before schema 3)
    std::string gcModel = "generational"; // or "incremental" (3.14.0 to 3.14.4)
};

// The end reason of a session that attached, took one heap snapshot and ended (gcscope snapshot).
inline constexpr const char* kSnapshotTakenReason = "snapshot taken";

struct SessionInfo : NewSession {
    std::int64_t id = 0;
    std::optional<std::int64_t> endedNs; // unset while recording, or when the profiler was killed
    bool complete = false; // true only after a clean end
    std::string endReason;
    std::uint64_t gcEventsDropped = 0; // collections the agent could not report (buffer full)
};

// Inclusive time bounds for the per-session series; the default is everything.
struct TimeRange {
    std::int64_t fromNs = std::numeric_limits<std::int64_t>::min();
    std::int64_t toNs = std::numeric_limits<std::int64_t>::max();
};

// What the profiler reads from /proc/PID.
struct ProcessSample {
    std::int64_t timeNs = 0;
    std::uint64_t rssBytes = 0;
    std::uint32_t threads = 0;
    std::uint32_t fds = 0;
};

struct Census {
    std::int64_t id = 0;
    std::int64_t timeNs = 0;
    std::int64_t pauseNs = 0;
    std::uint64_t objects = 0;
    std::vector<wire::CensusEntry> entries; // largest total size first
};

struct TypePoint {
    std::int64_t timeNs = 0; // the census time
    std::uint64_t count = 0; // 0 when the type was absent from that census
    std::uint64_t size = 0;
};

// One type over a session's census series: one point per census, in time order.
struct TypeSeries {
    std::string type;
    std::vector<TypePoint> points;
};

// ---- heap snapshots (schema version 2) ----
// A snapshot is a graph of objects with dense ids 0..n-1 and its own string table (type names,
// object labels, edge names) with ids 1..m; string id 0 is always "".

struct NewSnapshot {
    std::optional<std::int64_t> sessionId; // the session it was taken in, if any
    std::int64_t takenNs = 0;
    std::int64_t pauseNs = 0; // how long the target was held for the walk
    std::int64_t pid = 0;
    std::string pythonVersion;
    std::uint32_t flags = 0; // wire::kSnapshotNoStrings: string contents were left out of labels
    std::optional<std::string> label; // a user's name for it
    // How it was taken (schema 4): walked by a copy-on-write child of the target, which then paused
    // for the clone only, or in the target; why not by a child ("" when asked so or unknown); what the
    // child cost in memory (0: no child, or unknown).
    bool byChild = false;
    std::string methodNote;
    std::uint64_t extraMemoryBytes = 0;
};

// One outgoing reference. label: 0 none; wire::kEdgeIndexBit | i: list/tuple index i; else the
// string id of an attribute name or dict key.
struct StoredReference {
    std::uint32_t target = 0; // object id
    std::uint32_t label = 0;
    bool operator==(const StoredReference&) const = default;
};

// An object as Reader::forEachSnapshotRecord gives it: its fields without its references.
struct StoredRecord {
    std::uint32_t id = 0;
    std::uint64_t address = 0;
    std::uint32_t type = 0; // string id of "module.qualname"
    std::uint64_t size = 0;
    std::uint8_t flags = 0;
    std::uint32_t references = 0; // how many it holds
};

struct StoredObject {
    std::uint32_t id = 0;
    std::uint64_t address = 0;
    std::uint32_t type = 0; // string id of "module.qualname"
    std::uint64_t size = 0; // shallow size, bytes
    std::int64_t refcount = 0;
    std::uint8_t flags = 0; // wire::kObjectTracked, kObjectHasFinalizer, kObjectExplicitRoot
    std::uint32_t label = 0; // string id, 0 none
    std::span<const StoredReference> refs; // in visit order; valid only during the callback that gets it
};

// One type's objects in a snapshot (leaves included) and their shallow bytes.
struct StoredTypeTotal {
    std::string type;
    std::uint64_t objects = 0;
    std::uint64_t size = 0;
    bool operator==(const StoredTypeTotal&) const = default;
};

struct SnapshotInfo {
    std::int64_t id = 0;
    std::optional<std::int64_t> sessionId;
    std::int64_t takenNs = 0;
    std::int64_t pauseNs = 0;
    std::int64_t pid = 0;
    std::string pythonVersion;
    std::uint64_t objects = 0; // tracked objects and the untracked leaves they refer to
    std::uint64_t trackedObjects = 0;
    std::uint64_t references = 0; // outgoing references of all objects (graph edges)
    std::uint32_t flags = 0;
    std::int64_t ingestNs = 0; // how long writing it took
    std::optional<std::string> label;
    bool byChild = false; // schema 4: as NewSnapshot; false in older files
    std::string methodNote;
    std::uint64_t extraMemoryBytes = 0;
    // Schema 7: the rule number of the dominator tree the file keeps for it (KeptDominators.h);
    // none when it keeps none.
    std::optional<std::uint32_t> dominatorRule;
    // Schema 8: the rule number of the garbage summary the file keeps for it (KeptGarbage.h); none
    // when it keeps none.
    std::optional<std::uint32_t> garbageRule;

    // The placeholder's names, still used by the CLI's info command: the same as references and
    // pauseNs / 1e6. Remove them when nothing uses them any more.
    std::uint64_t edges = 0;
    double pauseMs = 0;
};

} // namespace gcscope::storage
