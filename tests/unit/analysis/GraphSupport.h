// Helpers for the analysis tests: a small DSL for hand-made heaps and a seeded random heap
// generator. Both go through the real HeapGraphBuilder.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/HeapGraphBuilder.h"

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace gcscope::analysis::test {

// Objects are declared with the references they get from outside the graph (`held`); build()
// sets refcount = held + references from Tracked objects, as CPython would count them.
class HandHeap {
public:
    ObjectId tracked(std::string_view type, std::uint64_t size, std::int64_t held = 0, std::uint8_t extraFlags = 0);
    ObjectId leaf(std::string_view type, std::uint64_t size, std::int64_t held = 0);
    void attr(ObjectId from, ObjectId to, std::string_view name); // labelled by name
    void item(ObjectId from, ObjectId to, std::uint64_t index); // labelled by index
    void ref(ObjectId from, ObjectId to); // unlabelled
    HeapGraph build();

private:
    ObjectId add(std::string_view type, std::uint64_t size, std::int64_t held, std::uint8_t flags);
    HeapGraphBuilder builder_;
    std::vector<std::int64_t> held_;
    std::vector<std::uint8_t> flags_;
    std::vector<std::pair<ObjectId, ObjectId>> edges_;
};

struct RandomHeapOptions {
    std::size_t objects = 10;
    double edgesPerObject = 1.5;
    double leafShare = 0.15; // untracked objects
    double heldShare = 0.15; // tracked objects with references from outside the graph
    double explicitRootShare = 0.03;
    double finalizerShare = 0.1;
    double inconsistentShare = 0.02; // refcount below the internal count
    std::size_t typeCount = 4;
    // Objects without references of their own added after the others, each referred to by 1 to
    // mostSinkReferrers random objects (the dominators set aside those with few referrers).
    std::size_t sinks = 0;
    std::size_t mostSinkReferrers = 8;
};

// Random heap: random edges (self loops and duplicates included), refcounts consistent with the
// edges except for a few deliberately inconsistent ones.
HeapGraph randomHeap(std::mt19937_64& rng, const RandomHeapOptions& options);

} // namespace gcscope::analysis::test
