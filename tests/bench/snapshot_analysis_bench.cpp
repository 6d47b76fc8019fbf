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

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

using namespace gcscope;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv)
{
    gcscope::util::startWithHugePages(argv); // measured as gcscope runs (util/huge_pages.h)
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

    t = Clock::now();
    const auto roots = analysis::findRoots(graph);
    const auto unreachable = analysis::findUnreachable(graph, roots);
    const double unreachableS = since(t);
    t = Clock::now();
    const auto cycles = analysis::findCycles(graph, unreachable);
    const double sccS = since(t);
    t = Clock::now();
    const auto dominators = analysis::computeDominators(graph, roots);
    const double domS = since(t);

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
    t = Clock::now();
    const auto again = finder.find(graph.objectCount() / 2, 3);
    const double pathNext = since(t);

    rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"objects\": %zu, \"references\": %llu, \"load_s\": %.3f, \"roots_unreachable_s\": %.3f, "
                "\"scc_cycles_s\": %.3f, \"dominators_s\": %.3f, \"analysis_total_s\": %.3f, "
                "\"path_first_query_s\": %.4f, \"path_next_query_s\": %.6f, \"path_length\": %zu, "
                "\"unreachable\": %zu, \"cycles\": %zu, \"peak_rss_mib\": %.1f}\n",
        graph.objectCount(), static_cast<unsigned long long>(graph.edgeCount()), load, unreachableS, sccS, domS,
        unreachableS + sccS + domS, pathFirst, pathNext, first.paths.empty() ? 0 : first.paths[0].length(),
        unreachable.count(), cycles.cycles.size(), static_cast<double>(ru.ru_maxrss) / 1024.0);
    (void)again;
    return 0;
}
