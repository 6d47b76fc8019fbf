#include "dashboard/DashboardData.h"
#include "util/saturating.h"

#include <algorithm>

namespace gcscope::ui {

void SessionTotals::add(const SessionTotals& more)
{
    samples += more.samples;
    censuses += more.censuses;
    processSamples += more.processSamples;
    for (std::size_t g = 0; g < collections.size(); ++g)
        collections[g] += more.collections[g];
    util::accumulate(collected, more.collected);
    util::accumulate(uncollectable, more.uncollectable);
    pauseTotalMs += more.pauseTotalMs;
    pauseMaxMs = std::max(pauseMaxMs, more.pauseMaxMs);
    pythonTimed += more.pythonTimed;
    pythonPauseTotalMs += more.pythonPauseTotalMs;
    pythonPauseMaxMs = std::max(pythonPauseMaxMs, more.pythonPauseMaxMs);
}

void DashboardSeries::reset(DashboardChunk chunk)
{
    sessions_ = std::move(chunk.sessions);
    session_ = std::move(chunk.session);
    tracks_ = std::move(chunk.tracks);
    totals_ = chunk.totals;
    cursor_ = chunk.cursor;
    baseline_ = chunk.baseline;
    snapshots_ = chunk.snapshots;
}

void DashboardSeries::append(const DashboardChunk& chunk)
{
    sessions_ = chunk.sessions;
    session_ = chunk.session; // its end, status and reason change when the recording stops
    for (std::size_t i = 0; i < kTrackCount; ++i) {
        auto& into = tracks_[i];
        const auto& more = chunk.tracks[i];
        into.x.insert(into.x.end(), more.x.begin(), more.x.end());
        into.y.insert(into.y.end(), more.y.begin(), more.y.end());
    }
    totals_.add(chunk.totals);
    cursor_ = chunk.cursor;
    if (!baseline_)
        baseline_ = chunk.baseline;
    snapshots_ = chunk.snapshots;
}

double DashboardSeries::duration() const
{
    if (!session_)
        return 0;
    if (session_->endedNs)
        return static_cast<double>(*session_->endedNs - session_->startedNs) / 1e9;
    double newest = 0;
    for (const auto& t : tracks_)
        if (!t.x.empty())
            newest = std::max(newest, t.x.back());
    return newest;
}

} // namespace gcscope::ui
