// The values the storage layer writes and reads besides the wire records (gcscope/wire.h), which
// are stored and returned as they are. Times are CLOCK_REALTIME nanoseconds since the Unix epoch.
#pragma once

#include <gcscope/wire.h>

#include <cstdint>
#include <limits>
#include <optional>
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
};

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

// Heap snapshots arrive with schema version 2; schema 1 files have none.
struct SnapshotInfo {
    std::int64_t id = 0;
    std::int64_t takenNs = 0;
    std::uint64_t objects = 0;
    std::uint64_t edges = 0;
    double pauseMs = 0;
};

} // namespace gcscope::storage
