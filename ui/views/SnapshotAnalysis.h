// Everything the inspector and the cycles view show about one heap snapshot, computed once off the
// GUI thread by the shared analysis library and then read-only: views share it through
// std::shared_ptr<const ...> across threads without locks.
#pragma once

#include "analysis/Cycles.h"
#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"
#include "analysis/TypeSummary.h"
#include "analysis/Unreachable.h"

#include <gcscope/storage/Records.h>

#include <future>
#include <memory>
#include <optional>
#include <string>

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
    analysis::CycleReport cycles; // unreachable first, then with finalizers, then by size (as `gcscope cycles`)
    analysis::DominatorTree dominators;
    analysis::DominatorChildren dominatorChildren;
    analysis::TypeSummaries types;
    std::optional<analysis::RetentionPathFinder> paths; // over graph, roots and referrers above
    bool dominatorsRead = false; // the tree was kept in the file; else computed here
    // The computed tree being kept in the file, off every view's way. Last: destroying the analysis
    // waits for it before the tree goes.
    std::future<void> keeping;
};

// Runs every analysis over the loaded snapshot, reporting each phase and stopping (JobCancelled)
// between phases when the job is cancelled.
std::shared_ptr<const SnapshotAnalysis> analyzeSnapshot(
    std::shared_ptr<const LoadedSnapshot> loaded, const JobControl& control);

} // namespace gcscope::ui
