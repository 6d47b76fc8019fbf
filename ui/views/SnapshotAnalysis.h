// Everything the inspector and the cycles view show about one heap snapshot, computed once off the
// GUI thread by the shared analysis library and then read-only: views share it through
// std::shared_ptr<const ...> across threads without locks (the cycles, worked out on first use, under
// a std::call_once).
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

    std::shared_ptr<const LoadedSnapshot> snapshot;
    const storage::SnapshotInfo& info;
    const analysis::HeapGraph& graph;
    analysis::RootSet roots;
    analysis::Referrers referrers;
    analysis::UnreachableSet unreachable;
    analysis::DominatorTree dominators;
    analysis::DominatorChildren dominatorChildren;
    analysis::TypeSummaries types;
    std::optional<analysis::RetentionPathFinder> paths; // over graph, roots and referrers above
    bool dominatorsRead = false; // the tree was kept in the file; else computed here, and worth keeping

    // The reference cycles (strongly connected components): unreachable first, then with
    // finalizers, then by size (as `gcscope cycles`). Worked out by the first call, on the caller's
    // thread (which blocks other callers meanwhile), then kept. Only the cycles view shows them: the
    // leak report and the inspector no longer wait for them (at 30.8M objects, 1.2 s of processor
    // time beside the dominators). Call it first off the GUI thread (loadSnapshotInto's withCycles).
    const analysis::CycleReport& cycles() const;
    bool cyclesFound() const { return cyclesFound_.load(); }

private:
    mutable std::once_flag cyclesOnce_;
    mutable analysis::CycleReport cycles_;
    mutable std::atomic<bool> cyclesFound_ { false };
};

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
