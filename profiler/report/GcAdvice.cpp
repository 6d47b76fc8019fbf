#include "report/GcAdvice.h"

#include "report/Format.h"
#include "report/HeapContext.h"

#include <algorithm>
#include <fmt/core.h>

namespace gcscope::report {

namespace {

std::string lastPart(const std::string& dotted)
{
    const auto dot = dotted.rfind('.');
    return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

std::string shapeOf(const CycleGroup& g)
{
    std::string out;
    for (std::size_t i = 0; i < g.types.size() && i < 4; ++i)
        out += (i ? " + " : "") + fmt::format("{} {}", g.types[i].second, g.types[i].first);
    return out;
}

void adviseFreeze(std::vector<Advice>& out, const GcSection& gc, const AdviceCriteria& c)
{
    const auto& full = gc.generations[2];
    if (full.collections == 0 || gc.freezeCount > 0 || gc.trackedObjects < c.minTrackedObjects
        || full.pause.meanMs < c.minFullPauseMs)
        return;
    const double yield = full.collectedPerCollection / static_cast<double>(gc.trackedObjects);
    if (yield >= c.maxFullYield)
        return;
    Advice a;
    a.kind = "freeze";
    a.title = "Freeze the long-lived objects after start-up (gc.freeze())";
    a.text = fmt::format(
        "Full collections took {} on average (max {}) walking about {} tracked objects, yet each freed only {} "
        "({} of them): the old generation is large and stable. Calling gc.freeze() once start-up is done (modules "
        "imported, caches and configuration loaded; in a pre-fork server, just before forking) moves those objects "
        "to a permanent generation the collector no longer walks.{}",
        formatMs(full.pause.meanMs), formatMs(full.pause.maxMs),
        formatCount(static_cast<std::int64_t>(gc.trackedObjects)), formatNumber(full.collectedPerCollection),
        formatPercent(yield),
        gc.fullPauseMsPerMillionTracked > 0
            ? fmt::format(" Measured here, a full collection costs about {} per million tracked objects.",
                formatMs(gc.fullPauseMsPerMillionTracked))
            : std::string());
    a.code
        = "import gc\n\ndef main():\n    load_everything()   # imports, caches, configuration\n    gc.freeze()         "
          "# long-lived objects leave the collector's generations\n    serve_forever()";
    a.evidence
        = { { "full_collections", static_cast<double>(full.collections) }, { "full_pause_mean_ms", full.pause.meanMs },
              { "full_pause_max_ms", full.pause.maxMs }, { "tracked_objects", static_cast<double>(gc.trackedObjects) },
              { "collected_per_full_collection", full.collectedPerCollection }, { "full_yield", yield },
              { "pause_ms_per_million_tracked", gc.fullPauseMsPerMillionTracked } };
    out.push_back(std::move(a));
}

void adviseThreshold(std::vector<Advice>& out, const GcSection& gc, double durationS, const AdviceCriteria& c)
{
    const auto& young = gc.generations[0];
    const auto threshold0 = gc.threshold[0];
    if (threshold0 <= 0 || durationS <= 0 || young.perSecond < c.minYoungPerSecond)
        return;
    const double yield = young.collectedPerCollection / static_cast<double>(threshold0);
    const double share = young.pause.totalMs / 1000.0 / durationS;
    if (yield >= c.maxYoungYield || share < c.minYoungWallShare)
        return;
    const auto suggested = std::clamp<std::int64_t>(threshold0 * 10, 5'000, 100'000);
    Advice a;
    a.kind = "threshold";
    a.title = fmt::format("Run young collections less often (threshold0 {} → {})", threshold0, suggested);
    a.text = fmt::format(
        "Generation 0 was collected {} times a second, and each collection freed only {} objects on average ({} of "
        "the {} allocations that triggered it); together they took {} ({} of wall time). Most young objects here "
        "are freed by reference counting or live long: a higher threshold0 makes the collector run less often for "
        "the same result.",
        formatNumber(young.perSecond), formatNumber(young.collectedPerCollection), formatPercent(yield), threshold0,
        formatMs(young.pause.totalMs), formatPercent(share));
    a.code = fmt::format("import gc\ngc.set_threshold({}, {}, {})", suggested, gc.threshold[1], gc.threshold[2]);
    a.evidence = { { "young_collections_per_second", young.perSecond },
        { "collected_per_young_collection", young.collectedPerCollection },
        { "threshold0", static_cast<double>(threshold0) }, { "young_yield", yield },
        { "young_pause_total_ms", young.pause.totalMs }, { "young_wall_share", share },
        { "suggested_threshold0", static_cast<double>(suggested) } };
    out.push_back(std::move(a));
}

void adviseCycles(std::vector<Advice>& out, const GcSection& gc, const std::vector<CycleGroup>& cycles,
    double durationS, const AdviceCriteria& c)
{
    if (gc.cyclicGarbageObjects < c.minCycleObjects)
        return;
    // The type that dominates: the most frequent non-container type of the cyclic garbage.
    const TypeObjects* top = nullptr;
    for (const auto& t : gc.cyclicGarbage)
        if (!isContainerTypeName(t.type)) {
            top = &t;
            break;
        }
    if (!top || top->share < c.minCycleShare)
        return;
    const CycleGroup* group = nullptr;
    for (const auto& g : cycles)
        if (!g.breakEdge.empty()
            && std::any_of(g.types.begin(), g.types.end(), [&](const auto& t) { return t.first == top->type; })) {
            group = &g;
            break;
        }
    if (!group)
        return;
    const std::string cls = lastPart(top->type);
    const std::string attr = lastPart(group->breakEdge);
    Advice a;
    a.kind = "break_cycles";
    a.title = fmt::format("Break the {} reference cycles ({} as a weak reference)", cls, group->breakEdge);
    a.text = fmt::format(
        "{} makes up {} of the cyclic garbage found in {} snapshot{} ({} of {} objects), in cycles like {} closed by "
        "{}. Over the recording the collector freed {} objects ({}/min) and paused the program for {}. Holding {} "
        "through a weak reference (weakref.ref or weakref.proxy), or clearing it when the object is discarded, "
        "lets reference counting free these objects at once instead of waiting for a collection.",
        top->type, formatPercent(top->share), gc.snapshotsAnalyzed, gc.snapshotsAnalyzed == 1 ? "" : "s",
        formatCount(static_cast<std::int64_t>(top->objects)),
        formatCount(static_cast<std::int64_t>(gc.cyclicGarbageObjects)), shapeOf(*group), group->breakEdge,
        formatCount(gc.collected), formatNumber(durationS > 0 ? static_cast<double>(gc.collected) / durationS * 60 : 0),
        formatMs(gc.pause.totalMs), group->breakEdge);
    a.code
        = fmt::format("import weakref\n\nclass {0}:\n    @property\n    def {1}(self):\n        ref = self._{1}\n  "
                      "      return ref() if ref is not None else None\n\n    @{1}.setter\n    def {1}(self, value):\n "
                      "       self._{1} = weakref.ref(value) if value is not None else None",
            cls, attr);
    a.evidence = { { "type_share", top->share }, { "type_objects", static_cast<double>(top->objects) },
        { "cyclic_garbage_objects", static_cast<double>(gc.cyclicGarbageObjects) },
        { "snapshots", static_cast<double>(gc.snapshotsAnalyzed) },
        { "cycles_of_this_shape", static_cast<double>(group->cycles) },
        { "collected", static_cast<double>(gc.collected) }, { "pause_total_ms", gc.pause.totalMs } };
    out.push_back(std::move(a));
}

} // namespace

std::vector<Advice> adviseGc(const GcSection& gc, const std::vector<CycleGroup>& cycles, const MemorySection& memory,
    double durationS, const AdviceCriteria& c)
{
    std::vector<Advice> out;
    if (gc.generations.size() == 3) {
        adviseCycles(out, gc, cycles, durationS, c);
        adviseFreeze(out, gc, c);
        adviseThreshold(out, gc, durationS, c);
    }
    if (gc.gcGarbage > 0) {
        Advice a;
        a.kind = "gc_garbage";
        a.title = "gc.garbage is not empty";
        a.text = fmt::format(
            "At the end of the recording gc.garbage held {} objects. They are never freed: either "
            "gc.DEBUG_SAVEALL is set (every collected object is kept there), or they are uncollectable. "
            "Inspect and clear the list (del gc.garbage[:]) and remove DEBUG_SAVEALL from gc.set_debug().",
            formatCount(gc.gcGarbage));
        a.code = "import gc\nprint(len(gc.garbage), gc.get_debug())\ngc.set_debug(0)\ndel gc.garbage[:]";
        a.evidence = { { "gc_garbage", static_cast<double>(gc.gcGarbage) } };
        out.push_back(std::move(a));
    }
    if (gc.uncollectable > 0) {
        Advice a;
        a.kind = "uncollectable";
        a.title = "Collections found uncollectable objects";
        a.text = fmt::format("The collector reported {} uncollectable objects: they end up in gc.garbage and stay "
                             "alive for good.",
            formatCount(gc.uncollectable));
        a.evidence = { { "uncollectable", static_cast<double>(gc.uncollectable) } };
        out.push_back(std::move(a));
    }
    if (gc.disabledShare >= c.minDisabledShare) {
        Advice a;
        a.kind = "gc_disabled";
        a.title = "The collector was disabled";
        a.text = fmt::format("gc.isenabled() was false in {} of the samples: reference cycles are only freed by an "
                             "explicit gc.collect(), so cyclic garbage accumulates in between.",
            formatPercent(gc.disabledShare));
        a.evidence = { { "disabled_share", gc.disabledShare } };
        out.push_back(std::move(a));
    }
    if (memory.untrackedGrowth) {
        Advice a;
        a.kind = "untracked_memory";
        a.title = "Memory grows outside the objects gcscope can see";
        a.text = memory.note
            + " Look at C extensions and native buffers (tracemalloc shows Python-level allocations, including "
              "untracked objects).";
        a.evidence = { { "rss_delta_bytes", static_cast<double>(memory.rssDelta) },
            { "rss_per_minute_bytes", memory.rssPerMinute },
            { "tracked_size_delta_bytes", static_cast<double>(memory.trackedSizeDelta) } };
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace gcscope::report
