// buildReport: reads one session of a recording and runs every analysis of the report on it.
#include "report/ReportWriter.h"

#include "analysis/Diff.h"
#include "discovery/version_support.h"
#include "report/Attribution.h"
#include "report/CyclicGarbage.h"
#include "report/GcSummary.h"
#include "report/HeapContext.h"
#include "report/MemoryGrowth.h"
#include "report/SnapshotEvidence.h"
#include "snapshot/kept_dominators.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/core.h>
#include <future>
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
    std::uint32_t censusEveryMs, double durationS, bool oneByOne)
{
    Verdict v;
    if (suspects > 0) {
        v.kind = "suspects";
        return v;
    }
    // Enough points of the per-type counts, or three snapshots compared object by object.
    if (points >= minPoints || snapshots >= 3)
        return v;
    v.kind = "undecided";
    v.reason = fmt::format("{} point{} of per-type counts and {} heap snapshot{} over {:.0f} s: telling steady growth "
                           "from none needs at least {}",
        points, points == 1 ? "" : "s", snapshots, snapshots == 1 ? "" : "s", durationS, minPoints);
    const std::size_t missing = minPoints - points;
    // Fewer snapshots than points are needed here (three would have made the series).
    const std::size_t snapshotsMissing = minPoints > snapshots ? minPoints - snapshots : 1;
    const std::string moreSnapshots
        = fmt::format("take {} more snapshot{} ({})", snapshotsMissing, snapshotsMissing == 1 ? "" : "s",
            oneByOne ? "gcscope snapshot, or --snapshot-every when recording" : "--snapshot-every");
    if (censusEveryMs > 0)
        v.advice = fmt::format("record at least {:.0f} s longer (a census every {:.1f} s), or {}",
            std::ceil(static_cast<double>(missing) * censusEveryMs / 1000.0), censusEveryMs / 1000.0, moreSnapshots);
    else
        v.advice = "record with --census-every, or " + moreSnapshots;
    return v;
}

// A session standing for a file of snapshots taken one by one: the last PID they were taken of, from
// its first snapshot to its last.
std::optional<storage::SessionInfo> sessionOfSnapshots(const std::vector<storage::SnapshotInfo>& snapshots)
{
    if (snapshots.empty())
        return std::nullopt;
    storage::SessionInfo s;
    s.pid = snapshots.back().pid;
    s.pythonVersion = snapshots.back().pythonVersion;
    s.startedNs = std::numeric_limits<std::int64_t>::max();
    for (const auto& snap : snapshots)
        if (snap.pid == s.pid && !snap.sessionId) {
            s.startedNs = std::min(s.startedNs, snap.takenNs);
            s.endedNs = std::max(s.endedNs.value_or(snap.takenNs), snap.takenNs);
        }
    if (!s.endedNs)
        return std::nullopt; // the last PID's snapshots all belong to sessions
    s.complete = true;
    return s;
}

// A sparkline for every suspect: its type's counts, unless the snapshots gave it one already.
void seriesOfSuspects(
    std::vector<Suspect>& suspects, const std::vector<TypeGrowth>& growth, const std::vector<std::int64_t>& times)
{
    for (auto& s : suspects) {
        if (!s.series.empty() && s.evidence == "snapshots")
            continue;
        for (const auto& g : growth)
            if (g.type == s.type && g.counts.size() == times.size()) {
                s.series.clear();
                for (std::size_t i = 0; i < times.size(); ++i)
                    s.series.emplace_back(times[i], s.sizeOnly ? g.sizes[i] : g.counts[i]);
            }
    }
}

} // namespace

LeakReport buildReport(const storage::Database& db, const ReportOptions& options)
{
    storage::Reader reader(db);
    const auto sessions = reader.sessions();
    std::optional<storage::SessionInfo> session;
    std::int64_t sessionId = 0;
    if (sessions.empty()) {
        // A file of snapshots taken one by one (gcscope snapshot): the report covers the last
        // process they were taken of.
        session = sessionOfSnapshots(reader.snapshots());
        if (!session)
            throw std::runtime_error(db.path() + ": holds no recording sessions and no heap snapshots");
        if (options.sessionId)
            throw std::runtime_error(db.path() + ": no session " + std::to_string(*options.sessionId));
    } else {
        sessionId = options.sessionId.value_or(sessions.back().id);
        session = reader.session(sessionId);
        if (!session)
            throw std::runtime_error(db.path() + ": no session " + std::to_string(sessionId));
    }

    LeakReport report;
    report.generator = std::string("gcscope ") + GCSCOPE_VERSION;
    report.generatedNs
        = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    report.file = db.path();
    report.target = targetOf(*session);
    if (sessions.empty())
        report.target.mode = "snapshots";

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
    if (sessions.empty())
        report.notes.push_back(fmt::format("The file holds heap snapshots of PID {} taken one by one, and no recording "
                                           "session: the report compares the snapshots.",
            session->pid));
    else if (options.live && !session->endedNs)
        report.notes.push_back("The session is still being recorded: the report covers what it holds so far.");
    else if (!session->complete)
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
    // A snapshot taken on its own (gcscope snapshot) is a session of its own: the report on one compares
    // it with the others of the same process, taken the same way.
    const auto takenOneByOne = [&](const storage::SnapshotInfo& s) {
        if (s.pid != session->pid)
            return false;
        if (!s.sessionId)
            return true;
        const auto it = std::find_if(
            sessions.begin(), sessions.end(), [&](const storage::SessionInfo& x) { return x.id == *s.sessionId; });
        return it != sessions.end() && it->pid == session->pid && it->endReason == storage::kSnapshotTakenReason;
    };
    if (!sessions.empty() && session->endReason == storage::kSnapshotTakenReason) {
        snapshots.clear();
        for (const auto& s : reader.snapshots())
            if (takenOneByOne(s))
                snapshots.push_back(s);
        std::stable_sort(snapshots.begin(), snapshots.end(),
            [](const storage::SnapshotInfo& a, const storage::SnapshotInfo& b) { return a.takenNs < b.takenNs; });
        if (snapshots.size() > 1) {
            session->startedNs = std::min(session->startedNs, snapshots.front().takenNs);
            report.target.startedNs = session->startedNs;
            endNs = std::max(endNs, snapshots.back().takenNs);
            report.target.durationS = static_cast<double>(endNs - session->startedNs) / 1e9;
            report.notes.push_back(fmt::format("The session is one snapshot taken on its own (gcscope snapshot): the "
                                               "report compares the {} snapshots of PID {} taken that way.",
                snapshots.size(), session->pid));
        }
    }
    if (snapshots.empty()) {
        for (const auto& s : reader.snapshots())
            if (!s.sessionId && s.pid == session->pid)
                snapshots.push_back(s);
        if (!snapshots.empty() && !sessions.empty())
            report.notes.push_back("The session has no snapshots of its own; the report uses the snapshots of PID "
                + std::to_string(session->pid) + " taken separately.");
    }
    report.snapshots = static_cast<std::uint32_t>(snapshots.size());
    for (const auto& s : snapshots)
        report.snapshotList.push_back({ s.id, s.takenNs, s.objects, static_cast<double>(s.pauseNs) / 1e6, s.byChild,
            s.methodNote, s.extraMemoryBytes });

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
    const auto evidenceSnapshots = garbageSubset(snapshots.size(), options.maxEvidenceSnapshots);
    GarbageTally garbage;
    std::vector<storage::GarbageToKeep> workedOut; // garbage summaries the file did not keep
    SnapshotHistory history; // the earlier snapshots compared with the last one, object by object
    std::vector<SnapshotTotals> snapshotTotals;
    std::unique_ptr<analysis::HeapGraph> lastGraph; // loaded here, or
    std::optional<AnalysedSnapshot> lent; // the caller's
    std::int64_t lastTakenNs = 0;
    std::unique_ptr<EarlierSizes> earlier; // the first snapshot's collections, to see which one grew
    // What needs the last snapshot's graph alone, worked out while its analyses are computed (here,
    // or by the caller who lends them): its index, and when each of its objects first appeared.
    std::shared_ptr<const analysis::HeapGraph> lastShared;
    std::unique_ptr<const GraphIndex> lastIndex;
    std::vector<std::uint8_t> births;
    using GraphOnly = std::pair<std::unique_ptr<const GraphIndex>, std::vector<std::uint8_t>>;
    const auto graphOnly = [&](const analysis::HeapGraph& g, bool index) {
        return std::async(std::launch::async, [&history, &g, index] {
            GraphOnly done;
            if (index)
                done.first = std::make_unique<const GraphIndex>(g);
            if (history.earlierCount() > 0)
                done.second = history.births(g);
            return done;
        });
    };
    // The caller's analysis of the last snapshot, begun while the earlier ones are read (a graph
    // each, on this thread): on its own it would wait for them. Should reading one of them fail,
    // the error comes once that analysis has ended (it stops early only when cancelled).
    std::future<std::optional<AnalysedSnapshot>> lastAnalysis;
    if (options.analysedSnapshot && snapshots.size() > 1)
        lastAnalysis = std::async(std::launch::async, options.analysedSnapshot, snapshots.back().id);
    // The last snapshot's graph as the caller shares it, with its index and (for the births) its
    // address order, worked out from the moment it is loaded, beside the earlier snapshots' reading
    // below instead of after it. With its dominator tree kept in the file, the analysis of a
    // 30.8M-object snapshot was done 3.3 s before this work, which then set the Leaks view's time.
    struct LastGraph {
        std::shared_ptr<const analysis::HeapGraph> graph;
        std::unique_ptr<const GraphIndex> index;
    };
    std::future<LastGraph> lastEarly;
    if (options.analysedSnapshot && options.loadedSnapshot && snapshots.size() > 1)
        lastEarly = std::async(std::launch::async, [&options, id = snapshots.back().id] {
            LastGraph early;
            early.graph = options.loadedSnapshot(id);
            if (early.graph) {
                const auto& g = *early.graph;
                auto order = std::async(std::launch::async, [&g] { g.byAddress(); });
                early.index = std::make_unique<const GraphIndex>(g);
                order.get();
            }
            return early;
        });
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        const bool last = i + 1 == snapshots.size();
        if (!last && i != 0 && !seriesFromSnapshots && !garbageSnapshots.count(i) && !evidenceSnapshots.count(i))
            continue;
        if (last && options.analysedSnapshot) {
            std::unique_ptr<const GraphIndex> earlyIndex;
            if (lastEarly.valid()) {
                auto early = lastEarly.get();
                lastShared = std::move(early.graph);
                earlyIndex = std::move(early.index);
            } else if (options.loadedSnapshot) {
                lastShared = options.loadedSnapshot(snapshots[i].id);
            }
            std::future<GraphOnly> beside;
            if (lastShared)
                beside = graphOnly(*lastShared, !earlyIndex);
            lent = lastAnalysis.valid() ? lastAnalysis.get() : options.analysedSnapshot(snapshots[i].id);
            if (lent && !(lent->graph && lent->roots && lent->referrers && lent->dominators && lent->paths))
                throw std::logic_error("buildReport: a lent snapshot analysis without all its parts");
            if (beside.valid()) {
                auto done = beside.get();
                if (lent && lent->graph == lastShared.get()) { // the same graph: what was worked out holds
                    lastIndex = earlyIndex ? std::move(earlyIndex) : std::move(done.first);
                    births = std::move(done.second);
                }
            }
        }
        // An earlier snapshot whose garbage the file keeps needs no graph: its summary, and when it is
        // compared object by object, its objects without their references. Loading and analysing
        // every earlier snapshot took seconds apiece at 10M objects, and their memory at once.
        std::optional<SnapshotGarbage> kept;
        if (snapshots[i].garbageRule == kGarbageRule)
            if (const auto text = storage::readKeptGarbage(db, snapshots[i].id, kGarbageRule))
                kept = decodeGarbage(*text);
        const bool withoutGraph = !last && kept && (!seriesFromSnapshots || reader.snapshotTypeTotals(snapshots[i].id));
        std::optional<snapshot::StoredObjects> objects;
        if (withoutGraph && (evidenceSnapshots.count(i) || i == 0))
            objects = i == 0 ? snapshot::loadObjects(db, snapshots[i].id, isCollectionTypeName)
                             : snapshot::loadObjects(db, snapshots[i].id);
        // Objects whose addresses do not pack (snapshot::IdentityKey) are read with the graph, below.
        if (withoutGraph && (!objects || objects->packed)) {
            if (seriesFromSnapshots)
                addSnapshotPoint(series, snapshots[i].takenNs, snapshot::loadCensus(db, snapshots[i].id));
            if (garbageSnapshots.count(i))
                garbage.add(*kept, snapshots[i].takenNs);
            if (objects) {
                if (i == 0)
                    earlier = std::make_unique<EarlierSizes>(objects->typeNames, std::move(objects->sizes));
                if (evidenceSnapshots.count(i))
                    history.addEarlier(std::move(objects->objects), objects->typeNames, snapshots[i].takenNs);
            }
            snapshotTotals.push_back({ snapshots[i].takenNs, kept->bytes, kept->untrackedBytes });
            continue;
        }
        std::shared_ptr<const analysis::HeapGraph> shared; // an earlier snapshot the caller shares
        if (!last && options.loadedSnapshot)
            shared = options.loadedSnapshot(snapshots[i].id);
        std::unique_ptr<analysis::HeapGraph> loaded;
        if (!lent && !shared)
            loaded = std::make_unique<analysis::HeapGraph>(snapshot::loadSnapshot(db, snapshots[i].id));
        const analysis::HeapGraph* graph = lent ? lent->graph : shared ? shared.get() : loaded.get();
        if (seriesFromSnapshots)
            addSnapshotPoint(series, snapshots[i].takenNs, analysis::censusOf(*graph));
        if (garbageSnapshots.count(i)) {
            if (kept) {
                garbage.add(*kept, snapshots[i].takenNs);
            } else {
                const auto summary = summarizeGarbage(*graph, lent ? lent->roots : nullptr);
                garbage.add(summary, snapshots[i].takenNs);
                workedOut.push_back({ snapshots[i].id, snapshots[i].objects, encodeGarbage(summary) });
            }
        }
        if (evidenceSnapshots.count(i) && !last) {
            if (shared)
                history.addEarlier(shared, snapshots[i].takenNs);
            else
                history.addEarlier(*graph, snapshots[i].takenNs);
        }
        snapshotTotals.push_back(totalsOf(*graph, snapshots[i].takenNs));
        if (i == 0 && !last)
            earlier = std::make_unique<EarlierSizes>(*graph);
        if (last) {
            lastGraph = std::move(loaded);
            lastTakenNs = snapshots[i].takenNs;
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
    if (lent) {
        heap = std::make_unique<HeapContext>(
            *lent->graph, *lent->roots, *lent->referrers, *lent->dominators, *lent->paths, std::move(lastIndex));
    } else if (lastGraph) {
        auto beside = graphOnly(*lastGraph, false); // the context makes its own index beside its analyses
        bool computed = false;
        const std::int64_t snapshotId = *report.snapshotId;
        const HeapContext::DominatorSource dominators = [&](const analysis::RootSet& roots) {
            auto tree = snapshot::dominatorsOf(db, snapshotId, *lastGraph, roots);
            computed = !tree.read;
            return std::move(tree.tree);
        };
        heap = std::make_unique<HeapContext>(*lastGraph, dominators);
        births = beside.get().second;
        if (computed && options.keepAnalyses)
            snapshot::keepDominators(db.path(), snapshotId, heap->dominators);
    } else
        report.notes.push_back("No heap snapshot in this session: suspects have no owner or retention path, and "
                               "cyclic garbage is unknown (record with --snapshot-at-end, or --snapshot-every S).");
    const auto live = garbage.liveGrowth();
    report.suspects = findSuspects(growth, heap.get(), options.suspects, earlier.get(), live ? &*live : nullptr);
    std::size_t comparedSnapshots = 0;
    if (heap) {
        comparedSnapshots = history.earlierCount() + 1;
        EvidenceCriteria evidence = options.evidence;
        evidence.maxSuspects = options.suspects.maxSuspects;
        mergeSnapshotSuspects(report.suspects,
            suspectsFromSnapshots(history, *heap, lastTakenNs, evidence, births.empty() ? nullptr : &births),
            options.suspects.maxSuspects);
        report.accumulations = findAccumulations(*heap, evidence);
    }
    markSuspects(growth, report.suspects);
    seriesOfSuspects(report.suspects, growth, series.times);
    report.verdict = verdictOf(report.suspects.size(), series.times.size(), comparedSnapshots, options.trend.minPoints,
        session->censusEveryMs, report.target.durationS,
        sessions.empty() || session->endReason == storage::kSnapshotTakenReason);
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
    report.memory = analyzeMemory(process, trackedSize, memory, snapshotTotals);
    report.advice = adviseGc(report.gc, report.cycles, report.memory, report.target.durationS, options.advice);
    // Worked out once, kept for every later report: each is read then instead of a graph.
    if (options.keepAnalyses)
        snapshot::keepGarbage(db.path(), kGarbageRule, workedOut);
    else if (options.garbageWorkedOut && !workedOut.empty())
        options.garbageWorkedOut(workedOut);
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
