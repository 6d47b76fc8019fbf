#include "report/MemoryGrowth.h"

#include "report/Format.h"
#include "report/GcSummary.h"

#include <algorithm>
#include <fmt/core.h>
#include <vector>

namespace gcscope::report {

namespace {

void compareWithCensus(MemorySection& m, const std::vector<std::pair<std::int64_t, std::uint64_t>>& rss,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& c);

// Resident memory at a time: the last sample at or before it, else the first after it.
std::uint64_t rssAt(const std::vector<std::pair<std::int64_t, std::uint64_t>>& rss, std::int64_t time)
{
    std::uint64_t at = rss.front().second;
    for (const auto& [t, bytes] : rss)
        if (t <= time)
            at = bytes;
    return at;
}

// What the snapshots show of resident memory's growth (MemoryGrowth.h).
void compareWithSnapshots(MemorySection& m, const std::vector<std::pair<std::int64_t, std::uint64_t>>& rss,
    std::span<const SnapshotTotals> snapshots)
{
    if (snapshots.size() < 2 || rss.size() < 2 || snapshots.back().timeNs <= snapshots.front().timeNs)
        return;
    const auto& first = snapshots.front();
    const auto& last = snapshots.back();
    m.snapshotWindowNs = last.timeNs - first.timeNs;
    m.snapshotRssDelta
        = static_cast<std::int64_t>(rssAt(rss, last.timeNs)) - static_cast<std::int64_t>(rssAt(rss, first.timeNs));
    m.snapshotObjectsDelta = static_cast<std::int64_t>(last.bytes) - static_cast<std::int64_t>(first.bytes);
    m.snapshotUntrackedDelta
        = static_cast<std::int64_t>(last.untrackedBytes) - static_cast<std::int64_t>(first.untrackedBytes);
    if (!m.untrackedGrowth || m.snapshotRssDelta <= 0)
        return;
    const double window = static_cast<double>(m.snapshotWindowNs) / 1e9;
    if (2 * m.snapshotObjectsDelta >= m.snapshotRssDelta) {
        m.untrackedGrowth = false;
        m.note = fmt::format("Resident memory grew by {} in the {:.0f} s between the first and the last heap snapshot, "
                             "and the objects the snapshots hold grew by {} ({} of it in objects the collector does "
                             "not track: str, bytes, int, float held by containers): the growth is in Python "
                             "objects, which the census of tracked objects alone undercounts.",
            formatBytes(m.snapshotRssDelta), window, formatBytes(m.snapshotObjectsDelta),
            formatBytes(m.snapshotUntrackedDelta));
    } else {
        m.note += fmt::format(" Counting the untracked objects too, the heap snapshots grew by only {} of the {} "
                              "resident memory grew in the {:.0f} s between the first and the last of them.",
            formatBytes(m.snapshotObjectsDelta), formatBytes(m.snapshotRssDelta), window);
    }
}

} // namespace

SnapshotTotals totalsOf(const analysis::HeapGraph& graph, std::int64_t takenNs)
{
    SnapshotTotals t;
    t.timeNs = takenNs;
    for (analysis::ObjectId o = 0; o < graph.objectCount(); ++o) {
        t.bytes += graph.size[o];
        if (!graph.isTracked(o))
            t.untrackedBytes += graph.size[o];
    }
    return t;
}

MemorySection analyzeMemory(std::span<const storage::ProcessSample> process,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& c,
    std::span<const SnapshotTotals> snapshots)
{
    using Point = std::pair<std::int64_t, std::uint64_t>;
    MemorySection m;
    std::vector<Point> rss;
    for (const auto& p : process)
        if (p.rssBytes > 0)
            rss.emplace_back(p.timeNs, p.rssBytes);
    m.haveRss = rss.size() >= 2;
    if (m.haveRss) {
        std::vector<double> t, v;
        for (const auto& [time, bytes] : rss) {
            t.push_back(static_cast<double>(time - rss.front().first) / 1e9);
            v.push_back(static_cast<double>(bytes));
        }
        m.rssTrend = testTrend(t, v, c.trend);
        m.rssFirst = rss.front().second;
        m.rssLast = rss.back().second;
        m.rssDelta = static_cast<std::int64_t>(m.rssLast) - static_cast<std::int64_t>(m.rssFirst);
        m.rssPerMinute = m.rssTrend.slopePerMinute;
        m.rss = thin<Point>(rss, c.maxPoints);
    }
    m.haveTracked = trackedSize.size() >= 2;
    if (m.haveTracked) {
        std::vector<double> t, v;
        for (const auto& [time, bytes] : trackedSize) {
            t.push_back(static_cast<double>(time - trackedSize.front().first) / 1e9);
            v.push_back(static_cast<double>(bytes));
        }
        m.trackedTrend = testTrend(t, v, c.trend);
        m.trackedPerMinute = m.trackedTrend.slopePerMinute;
        m.trackedSizeDelta = static_cast<std::int64_t>(trackedSize.back().second)
            - static_cast<std::int64_t>(trackedSize.front().second);
        m.trackedSize = thin<Point>(trackedSize, c.maxPoints);
    }
    // Resident memory against tracked objects over one window: where both were measured. (A
    // recording's first process sample comes seconds before its first census; comparing the one's
    // growth from t = 0 with the other's from its first point blames start-up on hidden memory.)
    if (m.haveRss && m.haveTracked)
        compareWithCensus(m, rss, trackedSize, c);
    if (m.haveRss)
        compareWithSnapshots(m, rss, snapshots);
    return m;
}

namespace {

void compareWithCensus(MemorySection& m, const std::vector<std::pair<std::int64_t, std::uint64_t>>& rss,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& c)
{
    using Point = std::pair<std::int64_t, std::uint64_t>;
    {
        const std::int64_t from = std::max(rss.front().first, trackedSize.front().first);
        const std::int64_t to = std::min(rss.back().first, trackedSize.back().first);
        std::vector<Point> rssIn, trackedIn;
        for (const auto& p : rss)
            if (p.first >= from && p.first <= to)
                rssIn.push_back(p);
        for (const auto& p : trackedSize)
            if (p.first >= from && p.first <= to)
                trackedIn.push_back(p);
        if (rssIn.size() < 2 || trackedIn.size() < 2)
            return; // no common window: nothing to compare
        std::vector<double> t, v, tt, tv;
        for (const auto& [time, bytes] : rssIn) {
            t.push_back(static_cast<double>(time - from) / 1e9);
            v.push_back(static_cast<double>(bytes));
        }
        for (const auto& [time, bytes] : trackedIn) {
            tt.push_back(static_cast<double>(time - from) / 1e9);
            tv.push_back(static_cast<double>(bytes));
        }
        const Trend rssTrend = testTrend(t, v, c.trend);
        const Trend trackedTrend = testTrend(tt, tv, c.trend);
        const auto rssDelta
            = static_cast<std::int64_t>(rssIn.back().second) - static_cast<std::int64_t>(rssIn.front().second);
        const auto trackedDelta
            = static_cast<std::int64_t>(trackedIn.back().second) - static_cast<std::int64_t>(trackedIn.front().second);
        if (!rssTrend.growing || rssDelta < static_cast<std::int64_t>(c.minRssGrowth))
            return;
        const double explained = static_cast<double>(trackedDelta) / static_cast<double>(rssDelta);
        if (!trackedTrend.growing || explained < c.maxTrackedShare) {
            m.untrackedGrowth = true;
            m.note = fmt::format(
                "Over the {:.0f} s where both were measured, resident memory grew by {} ({}/min) while the objects "
                "the collector tracks grew by {}: about {:.0f}% of the growth is memory gcscope cannot see in the "
                "heap — untracked objects (str, bytes, int, float held by containers), buffers and memory allocated "
                "by C extensions, or allocator fragmentation.",
                static_cast<double>(to - from) / 1e9, formatBytes(rssDelta),
                formatBytes(static_cast<std::int64_t>(rssTrend.slopePerMinute)), formatBytes(trackedDelta),
                100.0 * (1.0 - std::max(0.0, explained)));
        }
    }
}

} // namespace

} // namespace gcscope::report
