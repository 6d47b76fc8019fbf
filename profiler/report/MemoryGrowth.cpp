#include "report/MemoryGrowth.h"

#include "report/Format.h"
#include "report/GcSummary.h"

#include <algorithm>
#include <fmt/core.h>
#include <vector>

namespace gcscope::report {

MemorySection analyzeMemory(std::span<const storage::ProcessSample> process,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& c)
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
    if (m.haveRss && m.rssTrend.growing && m.rssDelta >= static_cast<std::int64_t>(c.minRssGrowth)) {
        const double explained
            = m.haveTracked ? static_cast<double>(m.trackedSizeDelta) / static_cast<double>(m.rssDelta) : 0;
        if (m.haveTracked && (!m.trackedTrend.growing || explained < c.maxTrackedShare)) {
            m.untrackedGrowth = true;
            m.note = fmt::format(
                "Resident memory grew by {} ({}/min) while the objects the collector tracks grew by {}: about {:.0f}% "
                "of "
                "the growth is memory gcscope cannot see in the heap — untracked objects (str, bytes, int, float held "
                "by containers), buffers and memory allocated by C extensions, or allocator fragmentation.",
                formatBytes(m.rssDelta), formatBytes(static_cast<std::int64_t>(m.rssPerMinute)),
                formatBytes(m.trackedSizeDelta), 100.0 * (1.0 - std::max(0.0, explained)));
        }
    }
    return m;
}

} // namespace gcscope::report
