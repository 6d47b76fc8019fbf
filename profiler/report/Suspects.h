// Leak suspects from the per-type growth series and the last heap snapshot.
//
// A type is a candidate when its count grows steadily (Trend.h) by at least minCountDelta objects
// (or by fewer objects adding at least minSizeDelta bytes), or when its count is flat but its size
// grows steadily by at least minSizeOnlyDelta (one container getting longer). With a snapshot,
// candidates that only grow because another one does are folded into it as companions:
//   "part of"  most new instances hang inside instances of another (non-container) candidate in the
//              dominator tree (a Session inside its Request, a headers dict inside its Response);
//   "wraps"    a container candidate (tuple, dict, list...) whose owner is the owner of a
//              non-container candidate (the (time, request) tuples in AuditLog.entries);
//   "owner"    a size-only candidate whose largest instance is another suspect's owner;
//   "weak references to"  weakref objects growing as fast (within 25%) as another candidate: a
//              WeakSet or WeakValueDictionary entry lives as long as its referent (no edge shows it).
// A count candidate is dropped as cyclic garbage the census counted before a collection freed it
// when its live (reachable) instances grew less than minLiveShare as fast between the first and the
// last snapshot, or, with one snapshot, when fewer of its instances there are reachable than half
// its growth.
// The rest are the suspects, each with its owner and a retention path (Attribution.h), ordered by
// retained size, then size growth.
#pragma once

#include "report/Attribution.h"
#include "report/CyclicGarbage.h"
#include "report/HeapContext.h"
#include "report/LeakReport.h"

#include <cstdint>
#include <vector>

namespace gcscope::report {

struct SuspectCriteria {
    std::uint64_t minCountDelta = 100;
    std::uint64_t minSizeDelta = 64u * 1024;
    std::uint64_t minSizeOnlyDelta = 256u * 1024;
    double ownerMajority = 0.5;
    std::size_t ownerSample = 2000;
    std::size_t maxSuspects = 10;
    double minLiveShare = 0.5;
};

// growth: every type's series with its trends computed; suspects and their companions get
// suspect = true. heap: the last snapshot, or null without one.
// earlier: the collections of the session's first snapshot, when there are two or more.
// live: how fast the reachable objects of each type grew between the first and last snapshot.
// The user's class or code behind objects of a builtin kind whose type says little: "bound methods
// of __main__.Widget" (their __self__), "__dict__ of __main__.Session instances" (who refers to them
// as __dict__), "handle.<locals>.on_done" (functions, generators, coroutines: their qualified name),
// "worker:42" (frames: function and line); "" when none stands out in a sample of them.
std::string userClassOf(const HeapContext& heap, const std::string& type);

// "__main__.AuditLog.entries (list)": the object's Python expression (or "<list at 0x...>") and its
// type; `expression` gets the first part.
std::string ownerDescription(const HeapContext& heap, analysis::ObjectId owner, std::string& expression);

std::vector<Suspect> findSuspects(std::vector<TypeGrowth>& growth, const HeapContext* heap,
    const SuspectCriteria& criteria, const EarlierSizes* earlier = nullptr, const LiveGrowth* live = nullptr);

// Most important first: retained size, then size growth.
void sortSuspects(std::vector<Suspect>& suspects);

// Sets TypeGrowth::suspect on the rows of every type a suspect names, itself or as a companion,
// and clears it on the others.
void markSuspects(std::vector<TypeGrowth>& growth, const std::vector<Suspect>& suspects);

// The representative path, converted for the report.
std::vector<PathStep> toPathSteps(const HeapContext& heap, analysis::ObjectId target);

} // namespace gcscope::report
