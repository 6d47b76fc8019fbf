#include "snapshot/kept_dominators.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptDominators.h>
#include <gcscope/storage/KeptGarbage.h>

#include "util/phase_trace.h"

#include <cstdlib>
#include <string_view>

namespace gcscope::snapshot {

using namespace analysis;

static_assert(kNoObject == storage::kKeptNoDominator && kVirtualRoot == storage::kKeptVirtualRoot,
    "the file's dominator markers are the analysis's");

SnapshotDominators dominatorsOf(
    const storage::Database& db, std::int64_t snapshotId, const HeapGraph& graph, const RootSet& roots)
{
    SnapshotDominators out;
    if (auto kept = storage::readKeptDominators(db, snapshotId, kDominatorRule, graph.objectCount())) {
        out.tree.idom = std::move(kept->idom);
        out.tree.retained = std::move(kept->retained);
        out.tree.reachableCount = kept->reachable;
        out.read = true;
        util::markPhase("dominators read");
        return out;
    }
    out.tree = computeDominators(graph, roots);
    util::markPhase("dominators computed");
    return out;
}

bool keepingAnalyses()
{
    const char* v = std::getenv("GCSCOPE_KEEP_ANALYSES"); // once per analysis: read each time
    return !(v && std::string_view(v) == "0");
}

std::string keepDominators(const std::string& path, std::int64_t snapshotId, const DominatorTree& tree)
{
    auto why = keepingAnalyses()
        ? storage::keepDominators(path, snapshotId, kDominatorRule, tree.reachableCount, tree.idom, tree.retained)
        : std::string("GCSCOPE_KEEP_ANALYSES=0");
    util::markPhase(why.empty() ? "dominators kept" : "dominators not kept: " + why);
    return why;
}

std::string keepGarbage(const std::string& path, std::uint32_t rule, std::span<const storage::GarbageToKeep> summaries)
{
    if (summaries.empty())
        return {};
    auto why = keepingAnalyses() ? storage::keepGarbage(path, rule, summaries) : std::string("GCSCOPE_KEEP_ANALYSES=0");
    util::markPhase(why.empty() ? "garbage summaries kept" : "garbage summaries not kept: " + why);
    return why;
}

} // namespace gcscope::snapshot
