#include "views/SnapshotAnalysis.h"

#include "views/BackgroundJob.h"

#include <algorithm>

namespace gcscope::ui {

std::shared_ptr<const SnapshotAnalysis> analyzeSnapshot(
    std::shared_ptr<const LoadedSnapshot> loaded, const JobControl& control)
{
    auto a = std::make_shared<SnapshotAnalysis>(std::move(loaded));
    const auto& g = a->graph;
    const QString id = QString::number(a->info.id);
    constexpr int kSteps = 7;
    int step = 0;
    auto phase = [&](const QString& what) {
        control.throwIfCancelled();
        control.progress(step++, kSteps, QObject::tr("Snapshot %1: %2…").arg(id, what));
    };
    phase(QObject::tr("finding roots"));
    a->roots = analysis::findRoots(g);
    phase(QObject::tr("indexing referrers"));
    a->referrers = analysis::buildReferrers(g);
    phase(QObject::tr("finding garbage"));
    a->unreachable = analysis::findUnreachable(g, a->roots);
    phase(QObject::tr("finding cycles"));
    a->cycles = analysis::findCycles(g, a->unreachable);
    // What the user came for first, in the order `gcscope cycles` prints.
    std::stable_sort(
        a->cycles.cycles.begin(), a->cycles.cycles.end(), [](const analysis::Cycle& x, const analysis::Cycle& y) {
            if (x.unreachable != y.unreachable)
                return x.unreachable;
            if (x.hasFinalizer != y.hasFinalizer)
                return x.hasFinalizer;
            return x.totalSize > y.totalSize;
        });
    phase(QObject::tr("computing dominators"));
    a->dominators = analysis::computeDominators(g, a->roots);
    a->dominatorChildren = analysis::buildDominatorChildren(a->dominators);
    phase(QObject::tr("summing types"));
    a->types = analysis::summarizeTypes(g, a->dominators, a->dominatorChildren);
    phase(QObject::tr("indexing retention paths"));
    a->paths.emplace(g, a->roots, a->referrers);
    control.throwIfCancelled();
    return a;
}

} // namespace gcscope::ui
