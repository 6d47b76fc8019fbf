// Who refers to whom: the reverse of HeapGraph's edges, built on demand (4 bytes per reference and
// 8 per object), plus one-object accessors that pair each neighbour with its edge label.
#pragma once

#include "analysis/HeapGraph.h"

#include <span>
#include <vector>

namespace gcscope::analysis {

// Incoming edges in CSR form: the referrers of object i are source[begin[i] .. begin[i + 1]), in
// ascending ObjectId order, each once per reference (a list holding i twice appears twice).
// The edge labels are not copied (4 bytes per reference, 220 MiB at 57M references): referrersOf
// reads them from the referrer's own edges.
// Where each list begins takes 4 bytes per object while the graph has fewer than 2^32 references
// (begin32), 8 past that (begin64); only one of the two is filled.
struct Referrers {
    std::vector<std::uint32_t> begin32 { 0 };
    std::vector<std::uint64_t> begin64;
    std::vector<ObjectId> source;

    // objectCount() + 1 entries; beginOf(objectCount()) == source.size().
    std::uint64_t beginOf(std::size_t id) const { return begin64.empty() ? begin32[id] : begin64[id]; }
    std::size_t objectCount() const { return (begin64.empty() ? begin32.size() : begin64.size()) - 1; }
    std::span<const ObjectId> of(ObjectId id) const
    {
        return { source.data() + beginOf(id), source.data() + beginOf(id + std::size_t { 1 }) };
    }
};

// wideOffsets: 64-bit offsets even below 2^32 references (tests).
Referrers buildReferrers(const HeapGraph& graph, bool wideOffsets = false);

struct Reference {
    ObjectId object; // the referent (for referentsOf) or the referrer (for referrersOf)
    std::uint32_t label; // how the referrer holds the referent
    bool operator==(const Reference&) const = default;
};

std::vector<Reference> referentsOf(const HeapGraph& graph, ObjectId id);
// Each referrer with the label of its reference to id; a referrer that holds id twice comes twice,
// with the labels of its first and second reference. Costs one pass over each referrer's edges.
std::vector<Reference> referrersOf(const HeapGraph& graph, const Referrers& referrers, ObjectId id);

} // namespace gcscope::analysis
