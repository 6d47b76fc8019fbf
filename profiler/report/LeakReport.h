// The leak report as a plain value: everything buildReport() found in one recording session, ready
// for the JSON, Markdown and HTML writers (and for the GUI to show). std only, no behaviour.
// docs/report.md documents every field as it appears in the JSON.
#pragma once

#include "report/Trend.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gcscope::report {

struct TargetInfo {
    std::int64_t sessionId = 0;
    std::int64_t pid = 0;
    std::string python; // "3.11.2"
    std::string pythonExecutable;
    std::vector<std::string> argv;
    std::string mode; // "attach" / "run"
    std::int64_t startedNs = 0;
    std::optional<std::int64_t> endedNs;
    double durationS = 0;
    bool complete = false;
    std::string endReason;
    std::string hostname;
    std::string agentForm; // "py311" ... "portable"; "" for files before schema 3
    std::string gcModel = "generational";
};

// Where the per-type series came from: the periodic census (GC-tracked objects only), or, when a
// session has fewer than three censuses, its heap snapshots (leaves included).
struct SeriesInfo {
    std::string source; // "census", "snapshots" or "none"
    std::vector<std::int64_t> timesNs; // one per point of every TypeGrowth
};

struct TypeGrowth {
    std::string type;
    std::vector<std::uint64_t> counts; // one per SeriesInfo::timesNs
    std::vector<std::uint64_t> sizes; // shallow bytes
    std::int64_t countDelta = 0; // last - first
    std::int64_t sizeDelta = 0;
    Trend countTrend;
    Trend sizeTrend;
    bool suspect = false; // a leak suspect, or folded into one
};

// One step of a retention path, from a root (first) to the object (last).
struct PathStep {
    std::string type;
    std::string label; // the object's short label (module name, qualname, str preview...), may be ""
    std::optional<std::string> edge; // how this step refers to the next; none on the last step or when unknown
    std::uint64_t address = 0;
    bool root = false;
    std::string name; // the object's Python expression when known ("__main__.__dict__"); set on the first step
};

// A growing type that grows only because a suspect does: its instances hang inside the suspect's
// instances ("part of"), or wrap them in the same owner ("wrapped in"), or it is the owner itself.
struct Companion {
    std::string type;
    std::int64_t countDelta = 0;
    std::int64_t sizeDelta = 0;
    std::string relation; // "part of" | "wraps" | "owner"
};

// Evidence from comparing heap snapshots by object identity (address and type): objects that
// appeared between two snapshots and are still alive in a later one, grouped by the container that
// holds them in the last snapshot. See SnapshotEvidence.h.
struct SnapshotEvidence {
    std::uint32_t snapshots = 0; // how many snapshots the evidence rests on: 2 is weaker than 3 or more
    std::string confidence; // "strong" (3 or more snapshots), "weak" (2)
    std::vector<std::int64_t> timesNs; // of the snapshots used, first to last
    // Objects of the suspect's type the owner holds in the last snapshot, by the interval between
    // snapshots in which they appeared: one entry per interval, oldest first.
    std::vector<std::uint64_t> newPerInterval;
    // Those of them that outlived a whole further interval (all intervals but the last): 0 with two
    // snapshots.
    std::uint64_t kept = 0;
    std::uint64_t newItems = 0; // all of them together
    std::uint64_t newRetained = 0; // what they retain together (freeing them would free)
    // The references the owner holds in each snapshot used (0 before it existed), first to last.
    std::vector<std::uint64_t> ownerReferences;
    std::int64_t ownerGrowth = 0; // last less first
};

struct Suspect {
    std::string type;
    // What named it: "trend" (steady growth of the per-type counts), "snapshots" (objects kept
    // between heap snapshots, SnapshotEvidence) or "trend+snapshots".
    std::string evidence = "trend";
    std::optional<SnapshotEvidence> snapshotEvidence;
    // How many there were over time, for a sparkline: the type's counts (census or snapshots), or,
    // for a suspect only the snapshots named, the references its owner held in each snapshot.
    std::vector<std::pair<std::int64_t, std::uint64_t>> series;
    std::int64_t countDelta = 0;
    std::int64_t sizeDelta = 0;
    double countPerMinute = 0; // least-squares slope
    double sizePerMinute = 0;
    bool sizeOnly = false; // the count is flat, the size grows (one container getting longer)
    Trend trend; // of the count (of the size when sizeOnly)
    // From the last snapshot (0 / empty without one).
    std::uint64_t instances = 0; // of the type in the snapshot
    std::uint64_t retainedSize = 0; // what freeing all of them would free (dominator tree), nested ones counted once
    // The user's class behind objects of a builtin kind: "bound methods of __main__.Widget",
    // "__dict__ of __main__.Session instances"; "" when none stands out.
    std::string userClass;
    std::string owner; // "__main__.AuditLog.entries (list)"; "" when no single owner was found
    std::string ownerExpression; // "__main__.AuditLog.entries"
    std::string ownerType; // "list"
    std::uint64_t ownerAddress = 0;
    double ownerShare = 0; // fraction of the instances the owner holds
    std::string ownerMethod; // "dominator" (owner dominates them) or "holder" (most common nearest container)
    std::vector<PathStep> retentionPath; // root -> a representative instance held by the owner
    std::string why; // one sentence
    std::vector<Companion> companions;
};

// A large accumulation point in the last snapshot: a collection whose contents retain the most
// memory. Shown when one snapshot cannot tell growth from size; not a leak by itself.
struct Accumulation {
    std::string owner; // "__main__.registry (dict)"
    std::string ownerExpression;
    std::string ownerType;
    std::uint64_t ownerAddress = 0;
    std::uint64_t items = 0; // objects it refers to directly
    std::string itemType; // the commonest type among them, by retained size
    std::uint64_t retainedSize = 0; // what freeing the collection would free
    double share = 0; // of all reachable memory in the snapshot
    std::vector<PathStep> retentionPath; // root -> the collection
};

struct PauseStats {
    double totalMs = 0;
    double maxMs = 0;
    double meanMs = 0;
    double p50Ms = 0;
    double p99Ms = 0;
};

struct GenerationSummary {
    int generation = 0;
    std::string name; // as the recorded collector has it: "gen 0", or "young" / "old (increment)" (3.14.0-3.14.4)
    std::int64_t collections = 0;
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
    double perSecond = 0;
    double collectedPerCollection = 0;
    PauseStats pause; // gcscope's own measurement, from the start to the stop callback
    // 3.15+: CPython's own figures from the callback info (pythonPauseCollections of the collections carried them).
    std::int64_t pythonPauseCollections = 0;
    PauseStats pythonPause;
    std::int64_t candidates = 0; // objects the collections examined
};

// One collection's pause next to how many objects the collector was tracking then (the census
// nearest in time).
struct PausePoint {
    std::int64_t timeNs = 0;
    int generation = 0;
    std::uint64_t trackedObjects = 0;
    double pauseMs = 0;
};

struct TypeObjects {
    std::string type;
    std::uint64_t objects = 0;
    std::uint64_t size = 0;
    double share = 0; // of all cyclic garbage objects seen
};

// Unreachable reference cycles of the same shape (the same types and counts), over the snapshots.
struct CycleGroup {
    std::vector<std::pair<std::string, std::uint64_t>> types; // per cycle, most frequent first
    std::uint64_t cycles = 0; // how many such cycles
    std::uint64_t objects = 0; // their members together
    std::uint64_t size = 0;
    bool hasFinalizer = false;
    // Named references between members ("__main__.TreeNode.parent"), most frequent first, each
    // with how often it was seen; the first one pointing straight at an object is the one to break.
    std::vector<std::pair<std::string, std::uint64_t>> edges;
    std::string breakEdge; // "" when no named reference closes the cycle
};

struct GcSection {
    std::string model = "generational"; // or "incremental": how to read the generations
    std::array<std::string, 3> generationNames { "gen 0", "gen 1", "gen 2" };
    bool havePythonFigures = false; // some collections carried CPython's own duration (3.15+)
    std::array<std::int64_t, 3> collections {};
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
    std::uint64_t eventsDropped = 0;
    PauseStats pause;
    double wallTimeShare = 0; // total pause / recording duration
    std::vector<GenerationSummary> generations;
    std::vector<PausePoint> pauseVsTracked; // at most ReportOptions::maxPausePoints, evenly thinned
    double fullPauseMsPerMillionTracked = 0; // least-squares slope over full collections, 0 if unknown
    std::array<std::int64_t, 3> threshold {}; // the last sample's gc.get_threshold()
    bool enabled = true; // the last sample's gc.isenabled()
    double disabledShare = 0; // of samples with the collector disabled
    std::int64_t freezeCount = 0;
    std::int64_t gcGarbage = 0; // len(gc.garbage) at the last sample
    std::uint64_t trackedObjects = 0; // at the last census, 0 if none
    // Cyclic garbage, from the unreachable sets of the session's snapshots.
    std::uint32_t snapshotsAnalyzed = 0;
    std::uint64_t cyclicGarbageObjects = 0;
    std::uint64_t cyclicGarbageSize = 0;
    std::vector<TypeObjects> cyclicGarbage; // most objects first
};

struct MemorySection {
    bool haveRss = false;
    std::vector<std::pair<std::int64_t, std::uint64_t>> rss; // (time, bytes), thinned for charts
    std::uint64_t rssFirst = 0;
    std::uint64_t rssLast = 0;
    std::int64_t rssDelta = 0;
    double rssPerMinute = 0;
    Trend rssTrend;
    bool haveTracked = false;
    std::vector<std::pair<std::int64_t, std::uint64_t>> trackedSize; // census totals (shallow bytes)
    std::int64_t trackedSizeDelta = 0;
    double trackedPerMinute = 0;
    Trend trackedTrend;
    bool untrackedGrowth = false; // RSS grows steadily and tracked objects explain little of it
    // Between the first and the last heap snapshot (0 with fewer than two): resident memory, every
    // object the snapshots hold, and the untracked ones among them.
    std::int64_t snapshotWindowNs = 0;
    std::int64_t snapshotRssDelta = 0;
    std::int64_t snapshotObjectsDelta = 0;
    std::int64_t snapshotUntrackedDelta = 0;
    std::string note;
};

struct Advice {
    std::string
        kind; // "freeze", "threshold", "break_cycles", "gc_garbage", "uncollectable", "gc_disabled", "untracked_memory"
    std::string title;
    std::string text;
    std::string code; // a snippet to try, may be ""
    std::vector<std::pair<std::string, double>> evidence; // the numbers behind it
};

// What the evidence allows the report to say about leaks. "undecided" when it is too thin to tell
// steady growth from none (too few points of per-type counts and too few snapshots): the headline
// then says so and what to do, never "No leak suspects".
struct Verdict {
    std::string kind = "no_steady_growth"; // "suspects", "no_steady_growth" or "undecided"
    std::string reason; // undecided: why, one sentence
    std::string advice; // undecided: what to do
};

// One heap snapshot the report used, and what taking it cost the target.
struct SnapshotTaken {
    std::int64_t id = 0;
    std::int64_t takenNs = 0;
    std::uint64_t objects = 0;
    double pauseMs = 0; // the target's pause: the clone (child) or the whole walk (in the target)
    bool byChild = false; // walked by a copy-on-write child of the target
    std::string note; // why it was walked in the target, "" when asked or unknown
    std::uint64_t childMemory = 0; // what the child cost in memory
};

struct LeakReport {
    std::string generator; // "gcscope 0.1.0"
    std::int64_t generatedNs = 0;
    std::string file;
    TargetInfo target;
    SeriesInfo series;
    std::optional<std::int64_t> snapshotId; // the snapshot owners and paths come from
    std::uint32_t snapshots = 0; // in the session
    std::vector<SnapshotTaken> snapshotList; // the same, oldest first
    Verdict verdict;
    std::vector<TypeGrowth> growth; // suspects first, then by size growth
    std::vector<Suspect> suspects; // most important first (retained size, then size growth)
    std::vector<Accumulation> accumulations; // of the last snapshot, largest retained size first
    GcSection gc;
    std::vector<CycleGroup> cycles; // most objects first
    std::vector<Advice> advice;
    MemorySection memory;
    std::vector<std::string> notes; // what the report could not do and why
};

} // namespace gcscope::report
