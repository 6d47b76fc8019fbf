// Everything the analyses compute about one snapshot, in one value: what the CLI prints and the
// GUI shows. Each part can also be computed alone from its own header.
#pragma once

#include "analysis/Cycles.h"
#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"
#include "analysis/Roots.h"
#include "analysis/Unreachable.h"

namespace gcscope::analysis {

struct HeapAnalysis {
    RootSet roots;
    Referrers referrers;
    UnreachableSet unreachable;
    CycleReport cycles;
    DominatorTree dominators;
};

// Roots, referrers, unreachable set, cycles and dominators of `graph`. For retention paths, build
// a RetentionPathFinder over graph, roots and referrers.
HeapAnalysis analyzeHeap(const HeapGraph& graph);

} // namespace gcscope::analysis
