// Why is this object alive: shortest reference paths from a root to it.
//
// Rule: a retention path starts at a root (refcount root or ExplicitRoot, Roots.h), follows
// references (from any object, leaves included) and ends at the target; it is shortest when no
// path from any root is shorter. Because every root starts at distance 0, a shortest path contains
// exactly one root, at its start: it "stops at the first root" met walking back from the target.
// When no root reaches the target (garbage, or held only by garbage) there is no path, and the
// answer says so ("no path: unreachable").
//
// Several paths for one target differ in the last step: each goes through a different direct
// referrer of the target, nearest referrers first, so they show the independent holders. If the
// target is itself a root, the first path is just the target.
//
// How: the finder runs one breadth-first search forward from all roots at once (O(V + E), the
// same as one backward search in the worst case) and keeps each object's distance and BFS parent.
// Every later query then costs only the target's referrers and the path lengths, which keeps
// interactive use (click an object, see why it is alive) instant, and makes the k-th path exactly
// the shortest through its referrer rather than whatever a shared backward search left over.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"
#include "analysis/Roots.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gcscope::analysis {

inline constexpr std::uint32_t kNoDistance = std::numeric_limits<std::uint32_t>::max();

struct PathStep {
    ObjectId object;
    std::uint32_t edgeLabel; // how `object` refers to the next step; kNoEdgeLabel on the last step
    bool operator==(const PathStep&) const = default;
};

struct RetentionPath {
    std::vector<PathStep> steps; // front(): a root; back(): the target
    std::size_t length() const { return steps.empty() ? 0 : steps.size() - 1; } // in edges
};

struct RetentionPaths {
    ObjectId target = kNoObject;
    bool reachable = false; // false: no path, the target is unreachable from every root
    std::vector<RetentionPath> paths; // shortest first
};

// Borrows the graph, roots and referrers: they must outlive the finder.
class RetentionPathFinder {
public:
    RetentionPathFinder(const HeapGraph& graph, const RootSet& roots, const Referrers& referrers);

    // Up to maxPaths paths through distinct direct referrers (see above).
    RetentionPaths find(ObjectId target, std::size_t maxPaths = 1) const;
    // Edges on a shortest path from any root, or kNoDistance.
    std::uint32_t distance(ObjectId id) const;

private:
    // The BFS tree path from a root to `last`, or empty if it passes through `avoid`.
    std::vector<PathStep> treePath(ObjectId last, ObjectId avoid) const;
    std::uint32_t firstEdgeLabel(ObjectId from, ObjectId to) const;

    const HeapGraph& graph_;
    const RootSet& roots_;
    const Referrers& referrers_;
    // Per object, the distance while below kFar (one byte instead of four: 90 MiB less at 30M
    // objects); kFar and beyond are counted up the BFS tree to the first nearer object.
    static constexpr std::uint8_t kFar = 254;
    static constexpr std::uint8_t kUnreached = 255;
    std::vector<std::uint8_t> level_;
    std::vector<ObjectId> parent_; // BFS parent; kNoObject for roots and unreached objects
};

// One line for people: "dict@0x7f00 --'items'--> list@0x7f10 --[3]--> __main__.Node@0x7f20".
std::string describePath(const HeapGraph& graph, const RetentionPath& path);
// describePath for each path, one per line, or "no path: unreachable".
std::string describePaths(const HeapGraph& graph, const RetentionPaths& paths);

} // namespace gcscope::analysis
