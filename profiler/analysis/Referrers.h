// Who refers to whom: the reverse of HeapGraph's edges, built on demand (it costs as much memory
// as the edges themselves), plus one-object accessors that pair each neighbour with its edge label.
#pragma once

#include "analysis/HeapGraph.h"

#include <span>
#include <vector>

namespace gcscope::analysis {

// Incoming edges in CSR form: the referrers of object i are source[begin[i] .. begin[i + 1]), in
// ascending ObjectId order, each once per reference (a list holding i twice appears twice).
struct Referrers {
    std::vector<std::uint64_t> begin { 0 };
    std::vector<ObjectId> source;
    std::vector<std::uint32_t> label; // the label of the edge source -> i

    std::span<const ObjectId> of(ObjectId id) const
    {
        return { source.data() + begin[id], source.data() + begin[id + 1] };
    }
    std::span<const std::uint32_t> labelsOf(ObjectId id) const
    {
        return { label.data() + begin[id], label.data() + begin[id + 1] };
    }
};

Referrers buildReferrers(const HeapGraph& graph);

struct Reference {
    ObjectId object; // the referent (for referentsOf) or the referrer (for referrersOf)
    std::uint32_t label; // how the referrer holds the referent
    bool operator==(const Reference&) const = default;
};

std::vector<Reference> referentsOf(const HeapGraph& graph, ObjectId id);
std::vector<Reference> referrersOf(const Referrers& referrers, ObjectId id);

} // namespace gcscope::analysis
