// The dashboard's numbers, as plain values: what DashboardLoader reads from storage::Reader on a
// worker thread (a DashboardChunk), and what the GUI thread keeps and appends to while a
// recording is live (DashboardSeries). Time is seconds since the session started, the one axis
// every chart shares.
#pragma once

#include <gcscope/storage/Records.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace gcscope::ui {

// Every line or point set a chart can draw.
enum class Track {
    Count0, // gc.get_count()[g]
    Count1,
    Count2,
    Threshold0, // gc.get_threshold()[g]
    Threshold1,
    Threshold2,
    Collections0, // gc.get_stats()[g]['collections'], counted from the session's first sample
    Collections1,
    Collections2,
    Collected, // objects collected, all generations, since the first sample
    Uncollectable, // uncollectable objects found, all generations, since the first sample
    Pause0, // one point per collection of generation g: its duration in ms
    Pause1,
    Pause2,
    RssMiB, // resident set size of the target
    TrackedObjects, // GC-tracked objects counted by each census
    PythonPause, // 3.15+: one point per collection, the duration CPython itself reported, in ms
};
inline constexpr std::size_t kTrackCount = static_cast<std::size_t>(Track::PythonPause) + 1;

struct TrackPoints {
    std::vector<double> x; // seconds since session start, non-decreasing
    std::vector<double> y;
    void add(double px, double py)
    {
        x.push_back(px);
        y.push_back(py);
    }
    std::size_t size() const { return x.size(); }
};

// Totals of one session, summed from its gc_events (the same numbers `gcscope info` prints).
struct SessionTotals {
    std::int64_t samples = 0;
    std::int64_t censuses = 0;
    std::int64_t processSamples = 0;
    std::array<std::int64_t, 3> collections {}; // gc events per generation
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
    double pauseTotalMs = 0;
    double pauseMaxMs = 0;
    // CPython's own timing (3.15+), over the pythonTimed collections that carried it
    std::int64_t pythonTimed = 0;
    double pythonPauseTotalMs = 0;
    double pythonPauseMaxMs = 0;

    void add(const SessionTotals& more);
    std::int64_t gcEvents() const { return collections[0] + collections[1] + collections[2]; }
};

// Where an incremental load continues: the newest row already read from each table.
struct LoadCursor {
    static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
    std::int64_t sampleNs = kNone;
    std::int64_t gcEventNs = kNone;
    std::int64_t processNs = kNone;
    std::int64_t censusNs = kNone;
};

// The first sample's cumulative counters: collections and collected are drawn relative to them.
struct SampleBaseline {
    std::array<std::int64_t, 3> collections {};
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
};

// What one load produced: the sessions of the file, and the rows of the shown session after the cursor.
struct DashboardChunk {
    std::vector<storage::SessionInfo> sessions;
    std::optional<storage::SessionInfo> session; // the one the rows belong to; none: the file has no session
    bool incremental = false; // appended to the previous chunk's rows (same session)
    std::array<TrackPoints, kTrackCount> tracks;
    SessionTotals totals;
    LoadCursor cursor;
    std::optional<SampleBaseline> baseline;
    std::int64_t snapshots = 0; // heap snapshots taken in this session
};

// The GUI thread's copy of the shown session, grown by incremental chunks.
class DashboardSeries {
public:
    void reset(DashboardChunk chunk); // a full load
    void append(const DashboardChunk& chunk); // rows after the cursor of the last load

    const std::optional<storage::SessionInfo>& session() const { return session_; }
    const std::vector<storage::SessionInfo>& sessions() const { return sessions_; }
    const TrackPoints& track(Track t) const { return tracks_[static_cast<std::size_t>(t)]; }
    const SessionTotals& totals() const { return totals_; }
    const LoadCursor& cursor() const { return cursor_; }
    const std::optional<SampleBaseline>& baseline() const { return baseline_; }
    std::int64_t snapshots() const { return snapshots_; }

    // Seconds from the session start to its end, or to its newest row while it has no end.
    double duration() const;

private:
    std::vector<storage::SessionInfo> sessions_;
    std::optional<storage::SessionInfo> session_;
    std::array<TrackPoints, kTrackCount> tracks_;
    SessionTotals totals_;
    LoadCursor cursor_;
    std::optional<SampleBaseline> baseline_;
    std::int64_t snapshots_ = 0;
};

} // namespace gcscope::ui
