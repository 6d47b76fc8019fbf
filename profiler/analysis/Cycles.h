// Reference cycles: what the collector exists for.
//
// Rule: a cycle is a strongly connected component of the Tracked subgraph with more than one
// member, or a single object that refers to itself. For each we report its members, total shallow
// size, the types in it, whether any member has a finalizer, and whether the whole cycle is garbage
// (Unreachable.h: no member reachable from a refcount root; members of one component are either
// all reachable or all not).
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/StronglyConnectedComponents.h"
#include "analysis/Unreachable.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gcscope::analysis {

struct TypeCount {
    std::uint32_t type; // index into HeapGraph::typeNames
    std::uint64_t count;
    bool operator==(const TypeCount&) const = default;
};

struct Cycle {
    std::uint64_t firstMember = 0; // in CycleReport::memberList
    std::uint64_t memberCount = 0;
    std::uint64_t totalSize = 0;
    std::vector<TypeCount> types; // most frequent first, then by type index
    bool hasFinalizer = false;
    bool unreachable = false;
};

// Only the cycles' members are kept: the strongly connected components of every object cost 8 to
// 12 bytes per object (240 MiB on a 30M-object heap), and nearly all of them are single objects.
struct CycleReport {
    std::vector<Cycle> cycles; // largest totalSize first, then by first member
    std::size_t componentCount = 0; // strongly connected components found, single objects included
    std::vector<ObjectId> memberList; // each cycle's members, ascending, in the order of `cycles`

    std::span<const ObjectId> members(const Cycle& cycle) const
    {
        return { memberList.data() + cycle.firstMember, cycle.memberCount };
    }
    // Whether id is one of the cycle's members (a binary search).
    bool inCycle(ObjectId id, const Cycle& cycle) const;
    // The cycle id is a member of, or nullptr; looks through every cycle.
    const Cycle* cycleOf(ObjectId id) const;
};

CycleReport findCycles(const HeapGraph& graph, const UnreachableSet& unreachable);
CycleReport findCycles(
    const HeapGraph& graph, StronglyConnectedComponents components, const UnreachableSet& unreachable);

// Reorders the cycles as people read them, `gcscope cycles` and gcscope-gui's Cycles view alike:
// garbage first, then those with a finalizer, then the largest (stable; each keeps its members).
void orderGarbageFirst(CycleReport& report);

} // namespace gcscope::analysis
