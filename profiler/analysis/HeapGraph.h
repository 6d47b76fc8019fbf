// The in-memory model of one heap snapshot: objects and the references between them.
//
// A snapshot holds every GC-tracked object of the target (address, type, shallow size, refcount,
// flags, optional short label), every reference found through tp_traverse, and "leaf" objects
// (untracked str/bytes/int/float... that tracked containers point at, so sizes add up).
//
// The graph is a structure of arrays indexed by a dense 32-bit ObjectId and stores its edges in
// compressed sparse row (CSR) form: the references of object i are edgeTarget[edgeBegin[i] ..
// edgeBegin[i + 1]). Duplicate edges are kept on purpose: a list holding the same object twice
// holds two references to it, and the root rule (Roots.h) counts references. It is built once by
// HeapGraphBuilder and read-only afterwards, so analyses can share it across threads.
#pragma once

#include "analysis/AddressOrder.h"
#include "analysis/CompactColumn.h"

#include <gcscope/storage/StringTable.h>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::analysis {

// ObjectId (AddressOrder.h): dense 0..n-1 within one snapshot.
inline constexpr ObjectId kNoObject = std::numeric_limits<ObjectId>::max();
// The parent of every root in the dominator tree; never a real object (the builder refuses that many).
inline constexpr ObjectId kVirtualRoot = kNoObject - 1;
inline constexpr std::size_t kMaxObjects = kVirtualRoot;
// Where an object's references begin in edgeTarget: 32 bits, 4 bytes an object where 64 took 8 (126
// MB of a 31.5M-object snapshot's graph, in every program that holds one). A snapshot holds fewer
// references than that allows: the builder refuses more (about 2,000 million objects' worth, some
// 150 GB of heap, where 10M objects is 1 GB).
using EdgeIndex = std::uint32_t;
inline constexpr std::uint64_t kMaxEdges = std::numeric_limits<EdgeIndex>::max();

enum ObjectFlags : std::uint8_t {
    Tracked = 1, // in the collector's lists (gc.is_tracked); everything else is a leaf
    HasFinalizer = 2, // the type defines __del__ (tp_finalize) or a legacy tp_del
    ExplicitRoot = 4, // known to be alive for a reason the graph cannot show: sys.modules, a thread's frame...
    Immortal = 8, // immortal (PEP 683, 3.12+): never freed; its refcount is a marker, not a count
    BorrowedReferences = 16, // its refcount includes references ob_refcnt leaves out (3.14+ borrowed stack refs)
};

// Edge labels say how the source holds the target: 0 = unknown/none; high bit set = list/tuple
// index (value & 0x7fffffff); otherwise an index into HeapGraph::strings (an attribute name or a
// str dict key).
inline constexpr std::uint32_t kNoEdgeLabel = 0;
inline constexpr std::uint32_t kIndexLabelBit = 0x80000000u;
// Indices beyond 2^31 - 1 are clamped: no realistic container reaches them.
constexpr std::uint32_t indexLabel(std::uint64_t index)
{
    return kIndexLabelBit | static_cast<std::uint32_t>(index < 0x7fffffffu ? index : 0x7fffffffu);
}
constexpr bool isIndexLabel(std::uint32_t label)
{
    return (label & kIndexLabelBit) != 0;
}
constexpr bool isNameLabel(std::uint32_t label)
{
    return label != kNoEdgeLabel && !isIndexLabel(label);
}
constexpr std::uint32_t labelIndex(std::uint32_t label)
{
    return label & ~kIndexLabelBit;
}

struct HeapGraph {
    // Per object, indexed by ObjectId.
    std::vector<std::uint64_t> address;
    std::vector<std::uint32_t> type; // index into typeNames
    CompactColumn<std::uint64_t> size; // shallow size in bytes, as the agent measured it
    CompactColumn<std::int64_t> refcount;
    std::vector<std::uint8_t> flags; // ObjectFlags
    std::vector<std::uint32_t> label; // index into strings, 0 = none (a function's name, a short repr...)

    // Outgoing references in CSR form: edgeBegin has objectCount() + 1 entries.
    std::vector<EdgeIndex> edgeBegin { 0 };
    std::vector<ObjectId> edgeTarget;
    std::vector<std::uint32_t> edgeLabel; // encoding above

    std::vector<std::string> typeNames; // "module.qualname", builtins bare ("dict", "__main__.Node")
    storage::StringTable strings { "" }; // strings[0] == ""

    // Every ObjectId sorted by address, for find() (AddressOrder.h): made while a stream is built,
    // else by the first call, which may throw std::invalid_argument when two objects share an
    // address. Safe to call from several threads at once.
    const std::vector<ObjectId>& byAddress() const;
    AddressOrder addressOrder;

    std::size_t objectCount() const { return address.size(); }
    std::uint64_t edgeCount() const { return edgeTarget.size(); }

    bool isTracked(ObjectId id) const { return (flags[id] & Tracked) != 0; }
    bool hasFinalizer(ObjectId id) const { return (flags[id] & HasFinalizer) != 0; }
    bool isExplicitRoot(ObjectId id) const { return (flags[id] & ExplicitRoot) != 0; }
    bool isImmortal(ObjectId id) const { return (flags[id] & Immortal) != 0; }

    std::span<const ObjectId> referents(ObjectId id) const
    {
        return { edgeTarget.data() + edgeBegin[id], edgeTarget.data() + edgeBegin[id + 1] };
    }
    // The labels of referents(id), in the same order.
    std::span<const std::uint32_t> referentLabels(ObjectId id) const
    {
        return { edgeLabel.data() + edgeBegin[id], edgeLabel.data() + edgeBegin[id + 1] };
    }

    const std::string& typeName(ObjectId id) const { return typeNames[type[id]]; }
    std::string_view labelText(ObjectId id) const { return strings[label[id]]; }

    // "[3]" for an index, the name for an attribute or dict key, "" for none.
    std::string edgeLabelText(std::uint32_t edgeLabel) const;

    // The object at this address, or kNoObject: a binary search when byAddress() is made, else one
    // pass over `address` (the first object there). Many lookups: call byAddress() first.
    ObjectId find(std::uint64_t objectAddress) const;

    // Every index of `strings` that holds this text (never 0). A snapshot keeps its agent's string
    // table as it came, where a name and a str's preview may repeat a text: compare labels with
    // these, not with one index.
    std::vector<std::uint32_t> stringIdsOf(std::string_view text) const;
};

} // namespace gcscope::analysis
