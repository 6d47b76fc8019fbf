#include "analysis/HeapAnalysis.h"

namespace gcscope::analysis {

HeapAnalysis analyzeHeap(const HeapGraph& graph)
{
    HeapAnalysis a;
    a.roots = findRoots(graph);
    a.referrers = buildReferrers(graph);
    a.unreachable = findUnreachable(graph, a.roots);
    a.cycles = findCycles(graph, a.unreachable);
    a.dominators = computeDominators(graph, a.roots);
    return a;
}

} // namespace gcscope::analysis
