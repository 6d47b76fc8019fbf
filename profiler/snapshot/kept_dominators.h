// A stored snapshot's dominator tree, computed once and then kept in the file (schema 7), and the
// keeping of its garbage summary (schema 8, storage/KeptGarbage.h). The tree: the first
// analysis of a snapshot computes it (seconds at 10M objects) and keeps it, every later one, in any
// gcscope program, reads it (a fraction of that). storage/KeptDominators.h says when keeping is
// skipped (a read-only file, an older schema...): the tree is then computed each time, as before.
#pragma once

#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"
#include "analysis/Roots.h"

#include <cstdint>
#include <span>
#include <string>

namespace gcscope::storage {
class Database;
struct GarbageToKeep;
} // namespace gcscope::storage

namespace gcscope::snapshot {

struct SnapshotDominators {
    analysis::DominatorTree tree;
    bool read = false; // read from the file; else computed, and worth keeping
};

// The tree kept for snapshot `snapshotId` of `db`, when the file keeps one by this gcscope's rule
// for a graph of this size; otherwise computeDominators(graph, roots). GCSCOPE_PHASES=1 marks
// "dominators read" or "dominators computed".
SnapshotDominators dominatorsOf(const storage::Database& db, std::int64_t snapshotId, const analysis::HeapGraph& graph,
    const analysis::RootSet& roots);

// Keeps a computed tree in the file at `path` unless the environment says not to
// (GCSCOPE_KEEP_ANALYSES=0). Returns an empty string when the file keeps it, else why not; the
// phase mark says which ("dominators kept", "dominators not kept: why").
std::string keepDominators(const std::string& path, std::int64_t snapshotId, const analysis::DominatorTree& tree);

// Keeps snapshots' garbage summaries (report/CyclicGarbage.h: encodeGarbage, by `rule`) in the file at
// `path` unless the environment says not to, as keepDominators does; marks "garbage summaries kept"
// or "garbage summaries not kept: why".
std::string keepGarbage(const std::string& path, std::uint32_t rule, std::span<const storage::GarbageToKeep> summaries);

// False when GCSCOPE_KEEP_ANALYSES=0: gcscope then writes nothing into files it opened to read.
bool keepingAnalyses();

} // namespace gcscope::snapshot
