// Everything the inspector and the cycles view show about one heap snapshot, computed once off the
// GUI thread by the shared analysis library and then read-only: views share it through
// std::shared_ptr<const ...> across threads without locks (the parts only some views show, worked
// out on first use, each under a std::call_once).
#pragma once

#include "analysis/Cycles.h"
#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"
#include "analysis/TypeSummary.h"
#include "analysis/Unreachable.h"

#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Records.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gcscope::ui {

class JobControl;

// A stored snapshot's graph as loaded from the file.
struct LoadedSnapshot {
    std::string path; // the file it was read from, as the system names it
    storage::SnapshotInfo info;
    analysis::HeapGraph graph;
};

struct SnapshotAnalysis {
    explicit SnapshotAnalysis(std::shared_ptr<const LoadedSnapshot> loaded)
        : snapshot(std::move(loaded))
        , info(snapshot->info)
        , graph(snapshot->graph)
    {
    }
    SnapshotAnalysis(const SnapshotAnalysis&) = delete; // the path finder points into this object
    SnapshotAnalysis& operator=(const SnapshotAnalysis&) = delete;

    // What every view of a snapshot needs, the Leaks view's report included: made by analyzeSnapshot.
    std::shared_ptr<const LoadedSnapshot> snapshot;
    const storage::SnapshotInfo& info;
    const analysis::HeapGraph& graph;
    analysis::RootSet roots;
    analysis::Referrers referrers;
    analysis::DominatorTree dominators;
    std::optional<analysis::RetentionPathFinder> paths; // over graph, roots and referrers above
    bool dominatorsRead = false; // the tree was kept in the file; else computed here, and worth keeping

    // What only some views show, each worked out by its first caller on the caller's thread (which
    // blocks other callers meanwhile), then kept. Call them off the GUI thread first
    // (loadSnapshotInto's SnapshotParts). The leak report needs none of them: at 30.8M objects the
    // garbage took 1.5 s of processor time beside the dominators, and the tree's children and the
    // type summaries 0.9 s after them, all before the Leaks view could show its report.
    // The objects no root reaches (the inspector's garbage marks, the cycles view's totals).
    const analysis::UnreachableSet& unreachable() const;
    // The dominator tree's children and the per-type summaries over it (the inspector's).
    const analysis::DominatorChildren& dominatorChildren() const;
    const analysis::TypeSummaries& types() const;
    // The reference cycles (strongly connected components): unreachable first, then with
    // finalizers, then by size (as `gcscope cycles`). Only the cycles view shows them.
    const analysis::CycleReport& cycles() const;
    bool typesSummed() const { return typesSummed_.load(); }
    bool unreachableFound() const { return unreachableFound_.load(); }
    bool cyclesFound() const { return cyclesFound_.load(); }

private:
    mutable std::once_flag unreachableOnce_, typesOnce_, cyclesOnce_;
    mutable analysis::UnreachableSet unreachable_;
    mutable analysis::DominatorChildren dominatorChildren_;
    mutable analysis::TypeSummaries types_;
    mutable analysis::CycleReport cycles_;
    mutable std::atomic<bool> unreachableFound_ { false }, typesSummed_ { false }, cyclesFound_ { false };
};

// The parts of an analysis only some views show (SnapshotAnalysis's on-demand ones).
struct SnapshotParts {
    bool unreachable = false;
    bool types = false; // the dominator tree's children and the type summaries
    bool cycles = false; // the unreachable objects with them
};

// Works out `parts` of the analysis, each on a thread of its own, and returns once all are done.
// `behind`: for a view the user does not see (a tab not shown), the threads yield to the others
// (the Leaks view's report, say). Not stopped by a cancel once begun; an error is thrown once all
// have ended.
void workOutParts(const SnapshotAnalysis& analysis, SnapshotParts parts, bool behind);

// Runs every analysis over the loaded snapshot, reporting each phase and stopping (JobCancelled)
// between phases when the job is cancelled. A dominator tree it computed is then kept in the file
// (snapshot/kept_dominators.h) on a thread of its own, which holds the analysis until it is written:
// nothing on the GUI thread ever waits for that.
std::shared_ptr<const SnapshotAnalysis> analyzeSnapshot(
    std::shared_ptr<const LoadedSnapshot> loaded, const JobControl& control);

// Keeps garbage summaries a leak report worked out (storage/KeptGarbage.h) in the file at `path`, on a
// thread of its own, as analyzeSnapshot keeps its tree.
void keepGarbageInBackground(std::string path, std::vector<storage::GarbageToKeep> summaries);

// Waits until the trees and summaries being kept are written: at the end of the program (a tree half
// written is rolled back and computed again next time; written whole, it is read). A keeping still
// waiting for the views to be idle gives up after 3 s of this wait.
void finishKeeping();

} // namespace gcscope::ui
