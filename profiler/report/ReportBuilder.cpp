// buildReport: reads one session of a recording and runs every analysis of the report on it.
#include "report/ReportWriter.h"

#include "analysis/Diff.h"
#include "discovery/version_support.h"
#include "report/Attribution.h"
#include "report/CyclicGarbage.h"
#include "report/GcSummary.h"
#include "report/HeapContext.h"
#include "report/MemoryGrowth.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/core.h>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#ifndef GCSCOPE_VERSION
#define GCSCOPE_VERSION "0"
#endif

namespace gcscope::report {

namespace {

TargetInfo targetOf(const storage::SessionInfo& s)
{
    TargetInfo t;
    t.sessionId = s.id;
    t.pid = s.pid;
    t.python = s.pythonVersion;
    t.pythonExecutable = s.pythonExecutable;
    t.argv = s.argv;
    t.mode = storage::toString(s.mode);
    t.startedNs = s.startedNs;
    t.endedNs = s.endedNs;
    t.complete = s.complete;
    t.endReason = s.endReason;
    t.hostname = s.hostname;
    t.agentForm = s.agentForm;
    t.gcModel = s.gcModel;
    return t;
}

// Per-type series, one point per time: from the census (GC-tracked objects) or from snapshots.
struct Series {
    std::vector<std::int64_t> times;
    std::map<std::string, std::vector<storage::TypePoint>> types;
};

Series fromCensus(const std::vector<storage::TypeSeries>& growth)
{
    Series s;
    for (const auto& t : growth) {
        if (s.times.empty())
            for (const auto& p : t.points)
                s.times.push_back(p.timeNs);
        s.types[t.type] = t.points;
    }
    return s;
}

void addSnapshotPoint(Series& s, std::int64_t time, const analysis::TypeCensus& census)
{
    const std::size_t index = s.times.size();
    s.times.push_back(time);
    for (const auto& [type, totals] : census) {
        auto& points = s.types[type];
        while (points.size() < index) // absent from earlier snapshots
            points.push_back({ s.times[points.size()], 0, 0 });
        points.push_back({ time, totals.count, totals.size });
    }
    for (auto& [type, points] : s.types)
        while (points.size() < s.times.size())
            points.push_back({ s.times[points.size()], 0, 0 });
}

std::vector<TypeGrowth> growthOf(const Series& series, const TrendCriteria& criteria)
{
    std::vector<double> seconds;
    for (auto t : series.times)
        seconds.push_back(static_cast<double>(t - series.times.front()) / 1e9);
    std::vector<TypeGrowth> out;
    for (const auto& [type, points] : series.types) {
        if (points.empty())
            continue;
        TypeGrowth g;
        g.type = type;
        std::vector<double> counts, sizes;
        for (const auto& p : points) {
            g.counts.push_back(p.count);
            g.sizes.push_back(p.size);
            counts.push_back(static_cast<double>(p.count));
            sizes.push_back(static_cast<double>(p.size));
        }
        g.countDelta = static_cast<std::int64_t>(points.back().count) - static_cast<std::int64_t>(points.front().count);
        g.sizeDelta = static_cast<std::int64_t>(points.back().size) - static_cast<std::int64_t>(points.front().size);
        g.countTrend = testTrend(seconds, counts, criteria);
        g.sizeTrend = testTrend(seconds, sizes, criteria);
        out.push_back(std::move(g));
    }
    return out;
}

// Which of the snapshots to analyse for garbage: at most `limit`, spread evenly, the last included.
std::set<std::size_t> garbageSubset(std::size_t count, std::size_t limit)
{
    std::set<std::size_t> picked;
    if (count == 0 || limit == 0)
        return picked;
    if (count <= limit) {
        for (std::size_t i = 0; i < count; ++i)
            picked.insert(i);
        return picked;
    }
    for (std::size_t i = 0; i < limit; ++i)
        picked.insert(limit == 1 ? count - 1 : i * (count - 1) / (limit - 1));
    return picked;
}

// Suspects in their order, each followed by its companions, then the other types by size growth.
std::vector<TypeGrowth> selectGrowthRows(
    std::vector<TypeGrowth> all, const std::vector<Suspect>& suspects, std::size_t limit)
{
    std::map<std::string, std::size_t> rank;
    for (std::size_t i = 0; i < suspects.size(); ++i) {
        rank.emplace(suspects[i].type, 2 * i);
        for (const auto& c : suspects[i].companions)
            rank.emplace(c.type, 2 * i + 1);
    }
    const auto rankOf = [&](const TypeGrowth& g) {
        const auto it = rank.find(g.type);
        return it == rank.end() ? std::numeric_limits<std::size_t>::max() : it->second;
    };
    std::stable_sort(all.begin(), all.end(), [&](const TypeGrowth& a, const TypeGrowth& b) {
        if (rankOf(a) != rankOf(b))
            return rankOf(a) < rankOf(b);
        if (a.sizeTrend.slopePerMinute != b.sizeTrend.slopePerMinute)
            return a.sizeTrend.slopePerMinute > b.sizeTrend.slopePerMinute;
        return a.type < b.type;
    });
    std::vector<TypeGrowth> out;
    for (auto& g : all) {
        if (!g.suspect && (out.size() >= limit || (g.countDelta <= 0 && g.sizeDelta <= 0)))
            continue;
        out.push_back(std::move(g));
    }
    return out;
}

// Suspects are named when some type grew steadily; "no steady growth" needs enough points to have
// looked for it. With fewer, the report cannot decide and says what would let it.
Verdict verdictOf(std::size_t suspects, std::size_t points, std::size_t snapshots, std::size_t minPoints,
    std::uint32_t censusEveryMs, double durationS)
{
    Verdict v;
    if (suspects > 0) {
        v.kind = "suspects";
        return v;
    }
    if (points >= minPoints)
        return v;
    v.kind = "undecided";
    v.reason = fmt::format("{} point{} of per-type counts and {} heap snapshot{} over {:.0f} s: telling steady growth "
                           "from none needs at least {}",
        points, points == 1 ? "" : "s", snapshots, snapshots == 1 ? "" : "s", durationS, minPoints);
    const std::size_t missing = minPoints - points;
    // Fewer snapshots than points are needed here (three would have made the series).
    const std::size_t snapshotsMissing = minPoints > snapshots ? minPoints - snapshots : 1;
    const std::string moreSnapshots
        = fmt::format("take {} more snapshot{} (--snapshot-every)", snapshotsMissing, snapshotsMissing == 1 ? "" : "s");
    if (censusEveryMs > 0)
        v.advice = fmt::format("record at least {:.0f} s longer (a census every {:.1f} s), or {}",
            std::ceil(static_cast<double>(missing) * censusEveryMs / 1000.0), censusEveryMs / 1000.0, moreSnapshots);
    else
        v.advice = "record with --census-every, or " + moreSnapshots;
    return v;
}

} // namespace

LeakReport buildReport(const storage::Database& db, const ReportOptions& options)
{
    storage::Reader reader(db);
    const auto sessions = reader.sessions();
    if (sessions.empty())
        throw std::runtime_error(db.path() + ": holds no recording sessions");
    const auto sessionId = options.sessionId.value_or(sessions.back().id);
    const auto session = reader.session(sessionId);
    if (!session)
        throw std::runtime_error(db.path() + ": no session " + std::to_string(sessionId));

    LeakReport report;
    report.generator = std::string("gcscope ") + GCSCOPE_VERSION;
    report.generatedNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    report.file = db.path();
    report.target = targetOf(*session);

    const auto samples = reader.samples(sessionId);
    const auto events = reader.gcEvents(sessionId);
    const auto process = reader.processSamples(sessionId);
    const auto censuses = reader.censuses(sessionId);
    std::int64_t endNs = session->endedNs.value_or(0);
    for (const auto& s : samples)
        endNs = std::max(endNs, s.timeNs);
    for (const auto& p : process)
        endNs = std::max(endNs, p.timeNs);
    report.target.durationS = endNs > session->startedNs ? static_cast<double>(endNs - session->startedNs) / 1e9 : 0;
    if (!session->complete)
        report.notes.push_back(fmt::format("The session is incomplete ({}): the report covers the data up to where "
                                           "the recording stopped.",
            session->endReason.empty() ? "the profiler did not end it cleanly" : session->endReason));
    if (session->gcEventsDropped > 0)
        report.notes.push_back(fmt::format("{} collections were not reported by the agent (its buffer was full): GC "
                                           "counts and pauses are lower than they were.",
            session->gcEventsDropped));

    // The session's snapshots; without any, snapshots of the same process taken on their own.
    std::vector<storage::SnapshotInfo> snapshots;
    for (const auto& s : reader.snapshots())
        if (s.sessionId == sessionId)
            snapshots.push_back(s);
    if (snapshots.empty()) {
        for (const auto& s : reader.snapshots())
            if (!s.sessionId && s.pid == session->pid)
                snapshots.push_back(s);
        if (!snapshots.empty())
            report.notes.push_back("The session has no snapshots of its own; the report uses the snapshots of PID "
                + std::to_string(session->pid) + " taken separately.");
    }
    report.snapshots = static_cast<std::uint32_t>(snapshots.size());

    // One pass over the snapshots: garbage from a spread subset, the per-type series when the census
    // is too short, and the last one kept for owners and paths.
    Series series;
    const bool seriesFromSnapshots = censuses.size() < 3 && snapshots.size() >= 3;
    if (seriesFromSnapshots)
        report.notes.push_back(fmt::format("The session has {} census{}: growth comes from its {} heap snapshots "
                                           "instead (they count untracked objects too).",
            censuses.size(), censuses.size() == 1 ? "" : "es", snapshots.size()));
    else
        series = fromCensus(reader.typeGrowth(sessionId));
    const auto garbageSnapshots = garbageSubset(snapshots.size(), options.maxGarbageSnapshots);
    GarbageTally garbage;
    std::unique_ptr<analysis::HeapGraph> lastGraph;
    std::unique_ptr<EarlierSizes> earlier; // the first snapshot's collections, to see which one grew
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        const bool last = i + 1 == snapshots.size();
        if (!last && i != 0 && !seriesFromSnapshots && !garbageSnapshots.count(i))
            continue;
        auto graph = std::make_unique<analysis::HeapGraph>(snapshot::loadSnapshot(db, snapshots[i].id));
        if (seriesFromSnapshots)
            addSnapshotPoint(series, snapshots[i].takenNs, analysis::censusOf(*graph));
        if (garbageSnapshots.count(i))
            garbage.add(*graph, snapshots[i].takenNs);
        if (i == 0 && !last)
            earlier = std::make_unique<EarlierSizes>(*graph);
        if (last) {
            lastGraph = std::move(graph);
            report.snapshotId = snapshots[i].id;
        }
    }

    report.series.source = series.times.empty() ? "none" : seriesFromSnapshots ? "snapshots" : "census";
    report.series.timesNs = series.times;
    if (series.times.size() < options.trend.minPoints)
        report.notes.push_back(fmt::format("Only {} point{} of per-type counts: a trend needs at least {} (record "
                                           "longer, or lower --census-every).",
            series.times.size(), series.times.size() == 1 ? "" : "s", options.trend.minPoints));
    auto growth = growthOf(series, options.trend);

    std::unique_ptr<HeapContext> heap;
    if (lastGraph)
        heap = std::make_unique<HeapContext>(*lastGraph);
    else
        report.notes.push_back("No heap snapshot in this session: suspects have no owner or retention path, and "
                               "cyclic garbage is unknown (record with --snapshot-at-end, or --snapshot-every S).");
    const auto live = garbage.liveGrowth();
    report.suspects = findSuspects(growth, heap.get(), options.suspects, earlier.get(), live ? &*live : nullptr);
    report.verdict = verdictOf(report.suspects.size(), series.times.size(), snapshots.size(), options.trend.minPoints,
        session->censusEveryMs, report.target.durationS);
    report.growth = selectGrowthRows(std::move(growth), report.suspects, options.maxGrowthRows);

    std::vector<TrackedPoint> tracked;
    std::vector<std::pair<std::int64_t, std::uint64_t>> trackedSize;
    for (const auto& c : censuses) {
        tracked.push_back({ c.timeNs, c.objects });
        std::uint64_t bytes = 0;
        for (const auto& e : c.entries)
            bytes += e.size;
        trackedSize.emplace_back(c.timeNs, bytes);
    }
    report.gc = summarizeGc(events, samples, tracked, report.target.durationS, session->gcEventsDropped,
        options.maxPausePoints, discovery::gcModelNamed(session->gcModel));
    report.gc.snapshotsAnalyzed = garbage.snapshots();
    report.gc.cyclicGarbageObjects = garbage.objects();
    report.gc.cyclicGarbageSize = garbage.size();
    report.gc.cyclicGarbage = garbage.byType();
    report.cycles = garbage.groups();

    MemoryCriteria memory;
    memory.trend = options.trend;
    memory.minRssGrowth = options.minRssGrowth;
    memory.maxPoints = options.maxChartPoints;
    report.memory = analyzeMemory(process, trackedSize, memory);
    report.advice = adviseGc(report.gc, report.cycles, report.memory, report.target.durationS, options.advice);
    return report;
}

std::optional<ReportFormat> parseReportFormat(std::string_view name)
{
    if (name == "html")
        return ReportFormat::Html;
    if (name == "json")
        return ReportFormat::Json;
    if (name == "md" || name == "markdown")
        return ReportFormat::Markdown;
    return std::nullopt;
}

const char* fileExtension(ReportFormat format)
{
    switch (format) {
    case ReportFormat::Html:
        return "html";
    case ReportFormat::Json:
        return "json";
    case ReportFormat::Markdown:
        return "md";
    }
    return "txt";
}

std::string render(const LeakReport& report, ReportFormat format)
{
    switch (format) {
    case ReportFormat::Html:
        return renderHtml(report);
    case ReportFormat::Json:
        return renderJson(report);
    case ReportFormat::Markdown:
        return renderMarkdown(report);
    }
    return {};
}

} // namespace gcscope::report
