// renderJson: the stable contract of docs/report.md ("format": "gcscope-leak-report", "version": 1).
// Fields may be added; none are renamed or removed without a new version.
#include "report/ReportText.h"
#include "report/ReportWriter.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace gcscope::report {

namespace {

// Keys in the order written: "format" and "version" first, as a reader expects.
using json = nlohmann::ordered_json;

// JSON has no NaN or infinity.
double finite(double v)
{
    return std::isfinite(v) ? v : 0.0;
}

json trendJson(const Trend& t)
{
    return { { "points", t.points }, { "slope_per_minute", finite(t.slopePerMinute) }, { "r2", finite(t.r2) },
        { "kendall_tau", finite(t.tau) }, { "p_value", finite(t.pValue) },
        { "recent_slope_per_minute", finite(t.recentSlopePerMinute) }, { "growing", t.growing },
        { "verdict", t.verdict } };
}

json pauseJson(const PauseStats& p)
{
    return { { "total", finite(p.totalMs) }, { "max", finite(p.maxMs) }, { "mean", finite(p.meanMs) },
        { "p50", finite(p.p50Ms) }, { "p99", finite(p.p99Ms) } };
}

json hex(std::uint64_t address)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(address));
    return buf;
}

json pathJson(const std::vector<PathStep>& steps)
{
    json out = json::array();
    for (const auto& s : steps)
        out.push_back({ { "type", s.type }, { "label", s.label }, { "edge", s.edge ? json(*s.edge) : json(nullptr) },
            { "address", hex(s.address) }, { "root", s.root },
            { "name", s.name.empty() ? json(nullptr) : json(s.name) } });
    return out;
}

json targetJson(const TargetInfo& t)
{
    return { { "pid", t.pid }, { "python", t.python }, { "argv", t.argv }, { "session", t.sessionId },
        { "python_executable", t.pythonExecutable }, { "mode", t.mode }, { "hostname", t.hostname },
        { "started_ns", t.startedNs }, { "ended_ns", t.endedNs ? json(*t.endedNs) : json(nullptr) },
        { "duration_s", finite(t.durationS) }, { "status", t.complete ? "complete" : "incomplete" },
        { "end_reason", t.endReason }, { "agent_form", t.agentForm.empty() ? json(nullptr) : json(t.agentForm) },
        { "gc_model", t.gcModel } };
}

json gcJson(const GcSection& gc)
{
    json generations = json::array();
    for (const auto& g : gc.generations)
        generations.push_back({ { "generation", g.generation }, { "name", g.name }, { "collections", g.collections },
            { "collected", g.collected }, { "uncollectable", g.uncollectable }, { "per_second", finite(g.perSecond) },
            { "collected_per_collection", finite(g.collectedPerCollection) }, { "pause_ms", pauseJson(g.pause) },
            // CPython's own figures (3.15+), null where the interpreter reported none
            { "python_pause_ms", g.pythonPauseCollections > 0 ? pauseJson(g.pythonPause) : json(nullptr) },
            { "candidates", g.pythonPauseCollections > 0 ? json(g.candidates) : json(nullptr) } });
    json garbage = json::array();
    for (const auto& t : gc.cyclicGarbage)
        garbage.push_back(
            { { "type", t.type }, { "objects", t.objects }, { "size", t.size }, { "share", finite(t.share) } });
    json points = json::array();
    for (const auto& p : gc.pauseVsTracked)
        points.push_back({ { "t_ns", p.timeNs }, { "generation", p.generation },
            { "tracked_objects", p.trackedObjects }, { "pause_ms", finite(p.pauseMs) } });
    return { { "model", gc.model }, { "collections", gc.collections }, { "collected", gc.collected },
        { "uncollectable", gc.uncollectable }, { "pause_ms", pauseJson(gc.pause) }, { "cyclic_garbage", garbage },
        { "wall_time_share", finite(gc.wallTimeShare) }, { "generations", generations },
        { "events_dropped", gc.eventsDropped }, { "threshold", gc.threshold }, { "enabled", gc.enabled },
        { "disabled_share", finite(gc.disabledShare) }, { "freeze_count", gc.freezeCount },
        { "gc_garbage", gc.gcGarbage }, { "tracked_objects", gc.trackedObjects },
        { "full_pause_ms_per_million_tracked", finite(gc.fullPauseMsPerMillionTracked) },
        { "pause_vs_tracked", points }, { "snapshots_analyzed", gc.snapshotsAnalyzed },
        { "cyclic_garbage_objects", gc.cyclicGarbageObjects }, { "cyclic_garbage_size", gc.cyclicGarbageSize } };
}

json pairsJson(const std::vector<std::pair<std::string, std::uint64_t>>& pairs)
{
    json out = json::array();
    for (const auto& [name, n] : pairs)
        out.push_back({ { "name", name }, { "count", n } });
    return out;
}

json pointsJson(const std::vector<std::pair<std::int64_t, std::uint64_t>>& points)
{
    json out = json::array();
    for (const auto& [t, v] : points)
        out.push_back({ t, v });
    return out;
}

json snapshotListJson(const std::vector<SnapshotTaken>& list)
{
    json out = json::array();
    for (const auto& s : list)
        out.push_back({ { "id", s.id }, { "taken_ns", s.takenNs }, { "objects", s.objects },
            { "pause_ms", finite(s.pauseMs) }, { "method", s.byChild ? "child" : "in-process" },
            { "method_note", s.note.empty() ? json(nullptr) : json(s.note) },
            { "child_memory", s.byChild ? json(s.childMemory) : json(nullptr) } });
    return out;
}

json evidenceJson(const SnapshotEvidence& e)
{
    return { { "snapshots", e.snapshots }, { "confidence", e.confidence }, { "times_ns", e.timesNs },
        { "new_per_interval", e.newPerInterval }, { "kept", e.kept }, { "new_items", e.newItems },
        { "new_retained", e.newRetained }, { "owner_references", e.ownerReferences },
        { "owner_growth", e.ownerGrowth } };
}

json memoryJson(const MemorySection& m)
{
    const auto& series = pointsJson;
    json snapshots = nullptr;
    if (m.snapshotWindowNs > 0)
        snapshots = { { "window_ns", m.snapshotWindowNs }, { "rss_delta", m.snapshotRssDelta },
            { "objects_delta", m.snapshotObjectsDelta }, { "untracked_delta", m.snapshotUntrackedDelta } };
    return { { "between_snapshots", snapshots }, { "rss_first", m.rssFirst }, { "rss_last", m.rssLast },
        { "rss_delta", m.rssDelta }, { "rss_per_minute", finite(m.rssPerMinute) },
        { "rss_trend", trendJson(m.rssTrend) }, { "tracked_size_delta", m.trackedSizeDelta },
        { "tracked_size_per_minute", finite(m.trackedPerMinute) }, { "tracked_size_trend", trendJson(m.trackedTrend) },
        { "untracked_growth", m.untrackedGrowth }, { "note", m.note }, { "rss", series(m.rss) },
        { "tracked_size", series(m.trackedSize) } };
}

} // namespace

std::string renderJson(const LeakReport& r)
{
    json growth = json::array();
    for (const auto& g : r.growth)
        growth.push_back({ { "type", g.type }, { "counts", g.counts }, { "count_delta", g.countDelta },
            { "size_delta", g.sizeDelta }, { "sizes", g.sizes },
            { "count_per_minute", finite(g.countTrend.slopePerMinute) },
            { "size_per_minute", finite(g.sizeTrend.slopePerMinute) }, { "count_trend", trendJson(g.countTrend) },
            { "size_trend", trendJson(g.sizeTrend) }, { "suspect", g.suspect } });

    json suspects = json::array();
    for (const auto& s : r.suspects) {
        json companions = json::array();
        for (const auto& c : s.companions)
            companions.push_back({ { "type", c.type }, { "count_delta", c.countDelta }, { "size_delta", c.sizeDelta },
                { "relation", c.relation } });
        suspects.push_back({ { "type", s.type }, { "count_delta", s.countDelta }, { "size_delta", s.sizeDelta },
            { "retained_size", s.retainedSize }, { "owner", s.owner.empty() ? json(nullptr) : json(s.owner) },
            { "retention_path", pathJson(s.retentionPath) }, { "why", s.why },
            { "user_class", s.userClass.empty() ? json(nullptr) : json(s.userClass) },
            { "count_per_minute", finite(s.countPerMinute) }, { "size_per_minute", finite(s.sizePerMinute) },
            { "size_only", s.sizeOnly }, { "instances", s.instances },
            { "owner_expression", s.ownerExpression.empty() ? json(nullptr) : json(s.ownerExpression) },
            { "owner_type", s.ownerType.empty() ? json(nullptr) : json(s.ownerType) },
            { "owner_address", s.ownerAddress ? hex(s.ownerAddress) : json(nullptr) },
            { "owner_share", finite(s.ownerShare) },
            { "owner_method", s.ownerMethod.empty() ? json(nullptr) : json(s.ownerMethod) },
            { "trend", trendJson(s.trend) }, { "companions", companions }, { "evidence", s.evidence },
            { "snapshot_evidence", s.snapshotEvidence ? evidenceJson(*s.snapshotEvidence) : json(nullptr) },
            { "series", pointsJson(s.series) } });
    }

    json accumulations = json::array();
    for (const auto& a : r.accumulations)
        accumulations.push_back({ { "owner", a.owner }, { "owner_expression", a.ownerExpression },
            { "owner_type", a.ownerType }, { "owner_address", hex(a.ownerAddress) }, { "items", a.items },
            { "item_type", a.itemType.empty() ? json(nullptr) : json(a.itemType) }, { "retained_size", a.retainedSize },
            { "share", finite(a.share) }, { "retention_path", pathJson(a.retentionPath) } });

    json cycles = json::array();
    for (const auto& c : r.cycles) {
        json types = json::object();
        for (const auto& [type, n] : c.types)
            types[type] = n;
        cycles.push_back({ { "types", types }, { "cycles", c.cycles }, { "objects", c.objects }, { "size", c.size },
            { "has_finalizer", c.hasFinalizer }, { "edges", pairsJson(c.edges) },
            { "break_edge", c.breakEdge.empty() ? json(nullptr) : json(c.breakEdge) } });
    }

    json advice = json::array();
    for (const auto& a : r.advice) {
        json evidence = json::object();
        for (const auto& [name, value] : a.evidence)
            evidence[name] = finite(value);
        advice.push_back({ { "kind", a.kind }, { "title", a.title }, { "text", a.text }, { "code", a.code },
            { "evidence", evidence } });
    }

    json out = { { "format", "gcscope-leak-report" }, { "version", 1 }, { "target", targetJson(r.target) },
        { "gc", gcJson(r.gc) }, { "growth", growth }, { "suspects", suspects }, { "accumulations", accumulations },
        { "cycles", cycles },
        { "verdict",
            { { "kind", r.verdict.kind }, { "headline", headline(r) },
                { "reason", r.verdict.reason.empty() ? json(nullptr) : json(r.verdict.reason) },
                { "advice", r.verdict.advice.empty() ? json(nullptr) : json(r.verdict.advice) } } },
        { "advice", advice }, { "generator", r.generator }, { "generated_ns", r.generatedNs }, { "file", r.file },
        { "session", r.target.sessionId },
        { "series", { { "source", r.series.source }, { "times_ns", r.series.timesNs } } },
        { "snapshot", r.snapshotId ? json(*r.snapshotId) : json(nullptr) }, { "snapshots", r.snapshots },
        { "snapshot_list", snapshotListJson(r.snapshotList) }, { "memory", memoryJson(r.memory) },
        { "notes", r.notes } };
    // Invalid UTF-8 in a label (a truncated preview) must not make the report unwritable.
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace gcscope::report
