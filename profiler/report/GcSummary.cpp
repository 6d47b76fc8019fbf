#include "report/GcSummary.h"
#include "util/saturating.h"

#include "report/Trend.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace gcscope::report {

PauseStats pauseStats(std::vector<double> ms)
{
    PauseStats s;
    if (ms.empty())
        return s;
    std::sort(ms.begin(), ms.end());
    for (double v : ms)
        s.totalMs += v;
    s.maxMs = ms.back();
    s.meanMs = s.totalMs / static_cast<double>(ms.size());
    const auto rank = [&](double p) {
        const auto r = static_cast<std::size_t>(std::ceil(p * static_cast<double>(ms.size())));
        return ms[std::clamp<std::size_t>(r, 1, ms.size()) - 1];
    };
    s.p50Ms = rank(0.50);
    s.p99Ms = rank(0.99);
    return s;
}

namespace {

// The tracked-object count of the census nearest in time, 0 without censuses.
std::uint64_t trackedAt(std::span<const TrackedPoint> tracked, std::int64_t t)
{
    if (tracked.empty())
        return 0;
    auto it = std::lower_bound(
        tracked.begin(), tracked.end(), t, [](const TrackedPoint& p, std::int64_t v) { return p.timeNs < v; });
    if (it == tracked.end())
        return tracked.back().objects;
    if (it != tracked.begin() && t - std::prev(it)->timeNs < it->timeNs - t)
        --it;
    return it->objects;
}

} // namespace

GcSection summarizeGc(std::span<const wire::GcEventRecord> events, std::span<const wire::SampleRecord> samples,
    std::span<const TrackedPoint> tracked, double durationS, std::uint64_t eventsDropped, std::size_t maxPausePoints,
    discovery::GcModel model)
{
    GcSection gc;
    gc.model = discovery::gcModelName(model);
    for (int g = 0; g < 3; ++g)
        gc.generationNames[static_cast<std::size_t>(g)] = discovery::generationName(model, g);
    gc.eventsDropped = eventsDropped;
    std::vector<double> all;
    std::array<std::vector<double>, 3> perGen;
    std::vector<PausePoint> points;
    for (const auto& e : events) {
        const auto g = static_cast<std::size_t>(std::clamp(e.generation, 0, 2));
        const double ms = static_cast<double>(e.durationNs) / 1e6;
        ++gc.collections[g];
        util::accumulate(gc.collected, e.collected);
        util::accumulate(gc.uncollectable, e.uncollectable);
        all.push_back(ms);
        perGen[g].push_back(ms);
        points.push_back({ e.startNs, static_cast<int>(g), trackedAt(tracked, e.startNs), ms });
    }
    gc.pause = pauseStats(all);
    gc.wallTimeShare = durationS > 0 ? gc.pause.totalMs / 1000.0 / durationS : 0;
    for (int g = 0; g < 3; ++g) {
        GenerationSummary s;
        s.generation = g;
        s.name = gc.generationNames[static_cast<std::size_t>(g)];
        s.collections = gc.collections[static_cast<std::size_t>(g)];
        std::vector<double> pythonMs;
        for (const auto& e : events)
            if (e.generation == g) {
                util::accumulate(s.collected, e.collected);
                util::accumulate(s.uncollectable, e.uncollectable);
                if (e.pythonDurationNs >= 0)
                    pythonMs.push_back(static_cast<double>(e.pythonDurationNs) / 1e6);
                if (e.candidates >= 0)
                    util::accumulate(s.candidates, e.candidates);
            }
        s.pythonPauseCollections = static_cast<std::int64_t>(pythonMs.size());
        s.pythonPause = pauseStats(std::move(pythonMs));
        gc.havePythonFigures = gc.havePythonFigures || s.pythonPauseCollections > 0;
        s.perSecond = durationS > 0 ? static_cast<double>(s.collections) / durationS : 0;
        s.collectedPerCollection
            = s.collections > 0 ? static_cast<double>(s.collected) / static_cast<double>(s.collections) : 0;
        s.pause = pauseStats(perGen[static_cast<std::size_t>(g)]);
        gc.generations.push_back(s);
    }

    // How a full collection's pause scales with the objects it walks: ms per million tracked objects.
    std::vector<double> x, y;
    for (const auto& p : points)
        if (p.generation == 2 && p.trackedObjects > 0) {
            x.push_back(static_cast<double>(p.trackedObjects) / 1e6);
            y.push_back(p.pauseMs);
        }
    if (x.size() >= 3)
        gc.fullPauseMsPerMillionTracked = std::max(0.0, fitLine(x, y).slope);
    else if (!x.empty()) { // too few for a slope: the average ratio
        double sum = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
            sum += y[i] / x[i];
        gc.fullPauseMsPerMillionTracked = sum / static_cast<double>(x.size());
    }
    if (!tracked.empty()) { // else there are no tracked counts to put the pauses against
        // Full collections are few and the ones that matter: keep them, thin the young ones.
        std::vector<PausePoint> full, young;
        for (const auto& p : points)
            (p.generation == 2 ? full : young).push_back(p);
        full = thin<PausePoint>(full, maxPausePoints / 2);
        young = thin<PausePoint>(young, maxPausePoints - full.size());
        std::merge(full.begin(), full.end(), young.begin(), young.end(), std::back_inserter(gc.pauseVsTracked),
            [](const PausePoint& a, const PausePoint& b) { return a.timeNs < b.timeNs; });
    }

    if (!samples.empty()) {
        const auto& last = samples.back();
        gc.threshold = last.threshold;
        gc.enabled = last.enabled;
        gc.freezeCount = last.freezeCount;
        gc.gcGarbage = last.gcGarbage;
        std::size_t disabled = 0;
        for (const auto& s : samples)
            disabled += s.enabled ? 0 : 1;
        gc.disabledShare = static_cast<double>(disabled) / static_cast<double>(samples.size());
    }
    if (!tracked.empty())
        gc.trackedObjects = tracked.back().objects;
    return gc;
}

} // namespace gcscope::report
