#include "dashboard/DashboardLoader.h"
#include "util/saturating.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>

namespace gcscope::ui {

namespace {

std::size_t index(Track t)
{
    return static_cast<std::size_t>(t);
}
Track offset(Track first, int generation)
{
    return static_cast<Track>(static_cast<int>(first) + generation);
}

storage::TimeRange after(std::int64_t ns)
{
    storage::TimeRange range;
    if (ns != LoadCursor::kNone)
        range.fromNs = ns + 1;
    return range;
}

SampleBaseline baselineOf(const wire::SampleRecord& s)
{
    SampleBaseline b;
    for (int g = 0; g < wire::kGenerations; ++g) {
        b.collections[static_cast<std::size_t>(g)] = s.stats[static_cast<std::size_t>(g)].collections;
        util::accumulate(b.collected, s.stats[static_cast<std::size_t>(g)].collected);
        util::accumulate(b.uncollectable, s.stats[static_cast<std::size_t>(g)].uncollectable);
    }
    return b;
}

void addSamples(DashboardChunk& chunk, const std::vector<wire::SampleRecord>& samples, double start)
{
    if (samples.empty())
        return;
    if (!chunk.baseline)
        chunk.baseline = baselineOf(samples.front());
    const auto& base = *chunk.baseline;
    for (const auto& s : samples) {
        const double t = (static_cast<double>(s.timeNs) - start) / 1e9;
        std::int64_t collected = 0, uncollectable = 0;
        for (int g = 0; g < wire::kGenerations; ++g) {
            const auto gi = static_cast<std::size_t>(g);
            chunk.tracks[index(offset(Track::Count0, g))].add(t, static_cast<double>(s.count[gi]));
            chunk.tracks[index(offset(Track::Threshold0, g))].add(t, static_cast<double>(s.threshold[gi]));
            chunk.tracks[index(offset(Track::Collections0, g))].add(
                t, static_cast<double>(s.stats[gi].collections - base.collections[gi]));
            collected += s.stats[gi].collected;
            uncollectable += s.stats[gi].uncollectable;
        }
        chunk.tracks[index(Track::Collected)].add(t, static_cast<double>(collected - base.collected));
        chunk.tracks[index(Track::Uncollectable)].add(t, static_cast<double>(uncollectable - base.uncollectable));
    }
    chunk.totals.samples = static_cast<std::int64_t>(samples.size());
    chunk.cursor.sampleNs = samples.back().timeNs;
}

void addGcEvents(DashboardChunk& chunk, const std::vector<wire::GcEventRecord>& events, double start)
{
    for (const auto& e : events) {
        const int g = std::clamp(e.generation, 0, wire::kGenerations - 1);
        const double ms = static_cast<double>(e.durationNs) / 1e6;
        const double t = (static_cast<double>(e.startNs) - start) / 1e9;
        chunk.tracks[index(offset(Track::Pause0, g))].add(t, ms);
        if (e.pythonDurationNs >= 0) {
            const double own = static_cast<double>(e.pythonDurationNs) / 1e6;
            chunk.tracks[index(Track::PythonPause)].add(t, own);
            ++chunk.totals.pythonTimed;
            chunk.totals.pythonPauseTotalMs += own;
            chunk.totals.pythonPauseMaxMs = std::max(chunk.totals.pythonPauseMaxMs, own);
        }
        if (e.generation >= 0 && e.generation < wire::kGenerations)
            ++chunk.totals.collections[static_cast<std::size_t>(e.generation)];
        chunk.totals.collected += e.collected;
        chunk.totals.uncollectable += e.uncollectable;
        chunk.totals.pauseTotalMs += ms;
        chunk.totals.pauseMaxMs = std::max(chunk.totals.pauseMaxMs, ms);
        chunk.cursor.gcEventNs = std::max(chunk.cursor.gcEventNs, e.startNs);
    }
}

} // namespace

DashboardChunk loadDashboard(const DashboardRequest& request)
{
    const auto db = storage::Database::openForReading(request.path);
    const storage::Reader reader(db);
    DashboardChunk chunk;
    chunk.sessions = reader.sessions();
    if (chunk.sessions.empty())
        return chunk;
    auto chosen = std::find_if(chunk.sessions.begin(), chunk.sessions.end(),
        [&](const storage::SessionInfo& s) { return request.sessionId && s.id == *request.sessionId; });
    if (chosen == chunk.sessions.end())
        chosen = std::prev(chunk.sessions.end());
    chunk.session = *chosen;
    const auto id = chosen->id;
    const double start = static_cast<double>(chosen->startedNs);

    chunk.incremental = request.loadedSession && *request.loadedSession == id;
    const LoadCursor from = chunk.incremental ? request.after : LoadCursor {};
    chunk.cursor = from;
    if (chunk.incremental)
        chunk.baseline = request.baseline;

    addSamples(chunk, reader.samples(id, after(from.sampleNs)), start);
    addGcEvents(chunk, reader.gcEvents(id, after(from.gcEventNs)), start);
    for (const auto& p : reader.processSamples(id, after(from.processNs))) {
        chunk.tracks[index(Track::RssMiB)].add(
            (static_cast<double>(p.timeNs) - start) / 1e9, static_cast<double>(p.rssBytes) / (1024.0 * 1024.0));
        chunk.cursor.processNs = p.timeNs;
        ++chunk.totals.processSamples;
    }
    for (const auto& c : reader.censuses(id, after(from.censusNs))) {
        chunk.tracks[index(Track::TrackedObjects)].add(
            (static_cast<double>(c.timeNs) - start) / 1e9, static_cast<double>(c.objects));
        chunk.cursor.censusNs = c.timeNs;
        ++chunk.totals.censuses;
    }
    for (const auto& s : reader.snapshots())
        if (s.sessionId == id)
            ++chunk.snapshots;
    return chunk;
}

} // namespace gcscope::ui
