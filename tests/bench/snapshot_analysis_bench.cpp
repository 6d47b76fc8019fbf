// Times the analysis of a stored snapshot of a real heap, phase by phase, and reports peak memory:
//   snapshot_analysis_bench FILE [SNAPSHOT_ID]
// Prints one JSON object (the snapshot benchmark script reads it).
#include "analysis/Cycles.h"
#include "analysis/Dominators.h"
#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"
#include "analysis/Unreachable.h"
#include "snapshot/snapshot_store.h"
#include "util/huge_pages.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace gcscope;
using Clock = std::chrono::steady_clock;

// The peak resident memory since the last call, in MiB; then starts a new peak (Linux resets VmHWM
// when "5" is written to /proc/self/clear_refs). Each phase's peak includes what earlier phases keep.
static double phasePeak()
{
    double mib = 0;
    if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "VmHWM:", 6) == 0)
                mib = std::strtod(line + 6, nullptr) / 1024.0;
        std::fclose(f);
    }
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
    return mib;
}

static double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv)
{
    gcscope::util::startWithHugePages(argv); // measured as gcscope runs (util/huge_pages.h)
    gcscope::util::useOneMallocArena();
    gcscope::util::keepFreedMemory();
    if (argc < 2) {
        std::fprintf(stderr, "usage: snapshot_analysis_bench FILE [SNAPSHOT_ID]\n");
        return 2;
    }
    auto db = storage::Database::openForReading(argv[1]);
    const auto snapshots = storage::Reader(db).snapshots();
    if (snapshots.empty())
        return 1;
    const std::int64_t id = argc > 2 ? std::atoll(argv[2]) : snapshots.back().id;

    auto t = Clock::now();
    const auto graph = snapshot::loadSnapshot(db, id);
    const double load = since(t);
    const double loadPeak = phasePeak();
    // What a load no longer pays: the address order, made by its first reader (AddressOrder.h).
    t = Clock::now();
    const std::size_t ordered = graph.byAddress().size();
    const double addressOrderS = since(t);
    const double orderPeak = phasePeak();

    t = Clock::now();
    const auto roots = analysis::findRoots(graph);
    const auto unreachable = analysis::findUnreachable(graph, roots);
    const double unreachableS = since(t);
    const double unreachablePeak = phasePeak();
    t = Clock::now();
    const auto cycles = analysis::findCycles(graph, unreachable);
    const double sccS = since(t);
    const double sccPeak = phasePeak();
    t = Clock::now();
    const auto dominators = analysis::computeDominators(graph, roots);
    const double domS = since(t);
    const double domPeak = phasePeak();

    t = Clock::now();
    const auto referrers = analysis::buildReferrers(graph);
    analysis::RetentionPathFinder finder(graph, roots, referrers);
    // The deepest reachable object: the longest path a user could ask for.
    analysis::ObjectId deepest = 0;
    for (analysis::ObjectId o = 0; o < graph.objectCount(); ++o)
        if (finder.distance(o) != analysis::kNoDistance && finder.distance(o) > finder.distance(deepest))
            deepest = o;
    const auto first = finder.find(deepest, 3);
    const double pathFirst = since(t);
    const double pathPeak = phasePeak();
    t = Clock::now();
    const auto again = finder.find(graph.objectCount() / 2, 3);
    const double pathNext = since(t);

    // Resetting the peak for each phase resets getrusage's too: the whole run's peak is the largest.
    const double peak = std::max({ loadPeak, orderPeak, unreachablePeak, sccPeak, domPeak, pathPeak });
    std::printf("{\"objects\": %zu, \"references\": %llu, \"load_s\": %.3f, \"address_order_s\": %.3f, "
                "\"roots_unreachable_s\": %.3f, "
                "\"scc_cycles_s\": %.3f, \"dominators_s\": %.3f, \"analysis_total_s\": %.3f, "
                "\"path_first_query_s\": %.4f, \"path_next_query_s\": %.6f, \"path_length\": %zu, "
                "\"unreachable\": %zu, \"cycles\": %zu, \"peak_rss_mib\": %.1f, \"phase_peak_mib\": {\"load\": %.1f, "
                "\"roots_unreachable\": %.1f, \"scc_cycles\": %.1f, \"dominators\": %.1f, \"paths\": %.1f}}\n",
        graph.objectCount(), static_cast<unsigned long long>(graph.edgeCount()), load, addressOrderS, unreachableS,
        sccS, domS, unreachableS + sccS + domS, pathFirst, pathNext, first.paths.empty() ? 0 : first.paths[0].length(),
        unreachable.count(), cycles.cycles.size(), peak, loadPeak, unreachablePeak, sccPeak, domPeak, pathPeak);
    (void)again;
    (void)ordered;
    return 0;
}
