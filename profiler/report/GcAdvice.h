// Evidence-backed suggestions about the collector, each with the numbers that triggered it. The
// rules (defaults in AdviceCriteria, documented in docs/report.md):
//   freeze        full collections are slow (mean >= minFullPauseMs) because they walk a large old
//                 generation (>= minTrackedObjects tracked) that they hardly free (collected per full
//                 collection < maxFullYield of the tracked objects), and gc.freeze() is not in use;
//   threshold     young collections are frequent (>= minYoungPerSecond) and free little (collected per
//                 young collection < maxYoungYield of threshold0), and take >= minYoungWallShare of wall time;
//   break_cycles  one type dominates the cyclic garbage the snapshots found (>= minCycleShare of
//                 at least minCycleObjects objects) and a named reference closes its cycles;
//   gc_garbage    gc.garbage is not empty at the end; uncollectable: collections found uncollectable objects;
//   gc_disabled   the collector was disabled for most of the recording;
//   untracked_memory  RSS grows but tracked objects do not (MemoryGrowth.h).
#pragma once

#include "report/LeakReport.h"

#include <cstdint>
#include <vector>

namespace gcscope::report {

struct AdviceCriteria {
    double minFullPauseMs = 10;
    std::uint64_t minTrackedObjects = 100'000;
    double maxFullYield = 0.01;
    double minYoungPerSecond = 10;
    double maxYoungYield = 0.05;
    double minYoungWallShare = 0.002;
    double minCycleShare = 0.3;
    std::uint64_t minCycleObjects = 100;
    double minDisabledShare = 0.5;
};

std::vector<Advice> adviseGc(const GcSection& gc, const std::vector<CycleGroup>& cycles, const MemorySection& memory,
    double durationS, const AdviceCriteria& criteria = {});

} // namespace gcscope::report
