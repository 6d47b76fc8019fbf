// What holds a growing population of objects, in the last snapshot.
//
// findOwner: the common retainer of the instances of a type. First the dominator tree: every
// object on the way up from a sampled instance gets a vote; objects with at least `majority` of
// the votes the growth calls for (majority x sampled x grown / instances) are candidates, and the
// owner is the lowest such candidate (no candidate below it) with the most votes: the container
// every path to most of the new instances passes through (AuditLog.entries, a cache's dict, a set
// of tasks). When that is only a namespace (a module, a class, a __dict__, or nothing but the
// virtual root: the instances are held from several places), the nearest collection on each
// instance's shortest retention path votes instead ("holder") and the most voted one wins if it
// reaches the same bar.
//
// Several containers may each hold enough instances (the leaking list and an older, bigger one):
// one snapshot cannot tell which is filling up, but an earlier one can. With `earlier`, the
// candidate whose shallow size grew most since then wins (a list, dict or set grows with what it
// holds; an object at the same address with another type counts as new), votes break ties;
// without it, the most votes win.
//
// enclosingType: the type whose instances most sampled instances hang inside (the first ancestor in
// the dominator tree, at most 32 levels up, whose type is a candidate): a Session held by its
// Request, a headers dict held by its Response.
//
// retainedSizeOf: the retained sizes of the instances added up, skipping instances that another
// instance of the same type dominates (they are already inside its retained size).
#pragma once

#include "report/HeapContext.h"
#include "snapshot/snapshot_store.h"

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace gcscope::report {

// The shallow sizes of the collections of an earlier snapshot, by address (CPython never moves an
// object, so the same address and type is, almost always, the same object).
class EarlierSizes {
public:
    explicit EarlierSizes(const analysis::HeapGraph& earlier);
    // The same from its objects read without its graph: snapshot::loadObjects with the sizes of the
    // collections (isCollectionTypeName), taken as they are (already in address order).
    EarlierSizes(std::vector<std::string> typeNames, std::vector<snapshot::ObjectSize> collections);
    // The object's growth since then: its size now less its size then, or its whole size if the
    // earlier snapshot had no collection of that type there.
    std::int64_t growth(const analysis::HeapGraph& now, analysis::ObjectId id) const;

private:
    struct Wide { // a collection whose address or type does not pack (snapshot::IdentityKey)
        std::uint64_t address;
        std::uint64_t size;
        std::uint32_t type;
    };
    std::vector<std::string> typeNames_; // the earlier snapshot's
    std::vector<snapshot::ObjectSize> entries_; // its collections, by address
    std::vector<Wide> wide_; // the others, by address
};

struct OwnerQuery {
    std::span<const analysis::ObjectId> instances;
    std::uint64_t grown = 0; // how many instances were added over the recording; 0 = treat all as new
    double majority = 0.5;
    std::size_t sample = 2000;
    const EarlierSizes* earlier = nullptr; // an earlier snapshot of the same process, if any
};

struct OwnerResult {
    analysis::ObjectId owner = analysis::kNoObject;
    double share = 0; // of the new instances the owner holds (estimated from the sample, at most 1)
    std::string method; // "dominator" or "holder"; "" without an owner
    analysis::ObjectId representative = analysis::kNoObject; // an instance the owner holds
    std::size_t sampled = 0;
};

OwnerResult findOwner(const HeapContext& heap, const OwnerQuery& query);

std::uint64_t retainedSizeOf(const HeapContext& heap, std::span<const analysis::ObjectId> instances);

struct EnclosingType {
    std::uint32_t type = UINT32_MAX; // index into graph.typeNames; UINT32_MAX: none
    std::size_t votes = 0;
    std::size_t sampled = 0;
};
// candidateTypes is indexed like graph.typeNames: 1 = may enclose.
EnclosingType enclosingType(const HeapContext& heap, std::span<const analysis::ObjectId> instances,
    const std::vector<std::uint8_t>& candidateTypes, std::size_t sample = 2000);

// Up to `count` ids spread evenly over `ids`, in order.
std::vector<analysis::ObjectId> spreadSample(std::span<const analysis::ObjectId> ids, std::size_t count);

} // namespace gcscope::report
