// Builds a HeapGraph from objects and references arriving in any order, as a snapshot stream
// delivers them: references may name their ends by ObjectId (returned by addObject) or by
// address, before or after the objects themselves arrive.
//
// The common case has a fast path: a snapshot stream and a stored snapshot both give each object's
// references right after the object, in order, all by address or all by id. While that holds the
// builder writes them straight into the graph's CSR arrays (no per-edge bookkeeping, no sort), and
// resolves addresses through a hash table it probes ahead of use; the first reference out of that
// order moves what it has to the general path.
#pragma once

#include "analysis/AddressCodes.h"
#include "analysis/HeapGraph.h"
#include "util/prefault.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gcscope::analysis {

struct ObjectInfo {
    std::uint64_t address = 0;
    std::string_view type; // interned by the builder
    std::uint64_t size = 0;
    std::int64_t refcount = 0;
    std::uint8_t flags = 0; // ObjectFlags
    std::string_view label = {}; // interned; empty = none
};

// Object counts that come from an agent's SnapshotBegin or a file's snapshots row, which nobody
// trusts, are taken as a hint up to this many (a heap of about 10M tracked objects has 30M with
// its leaves): room reserved for them maps address space only, and past it arrays grow as objects
// arrive.
inline constexpr std::size_t kMostObjectsReserved = std::size_t { 1 } << 25;

class HeapGraphBuilder;
class CodeIndex; // HeapGraphBuilder.cpp

// How far build(alongside) has got, for the code that runs alongside it: the objects whose
// references are final, and whether the whole graph is.
class ReadyObjects {
public:
    // Blocks until at least `objects` objects have their final references (or all of them do) and
    // returns how many do. Throws std::runtime_error when the build failed.
    std::size_t waitFor(std::size_t objects) const;
    // Blocks until the graph is complete, byAddress included. Throws when the build failed.
    void waitForAll() const;

private:
    friend class HeapGraphBuilder;
    static constexpr std::size_t kFailed = ~std::size_t { 0 };
    static constexpr int kBuilding = 0, kBuilt = 1, kBuildFailed = 2;
    [[noreturn]] static void throwBuildFailed();
    void publish(std::size_t objects);
    void finish(bool built);
    std::atomic<std::size_t> ready_ { 0 };
    std::atomic<int> state_ { kBuilding };
    std::size_t total_ = 0;
};

class HeapGraphBuilder {
public:
    HeapGraphBuilder();
    ~HeapGraphBuilder();
    HeapGraphBuilder(HeapGraphBuilder&&) noexcept;
    HeapGraphBuilder& operator=(HeapGraphBuilder&&) noexcept;

    // Index of a type name in typeNames / of a string in strings ("" is always 0). Use
    // internString for name edge labels: the returned index is the label.
    std::uint32_t internType(std::string_view name);
    std::uint32_t internString(std::string_view text);
    // Takes a whole string table as the graph's strings, index for index (strings[0] must be ""),
    // without looking for duplicates: a snapshot's table is already one string per id, and hashing
    // a million labels costs more than keeping the odd duplicate. Only before any internString().
    void adoptStrings(storage::StringTable strings);

    ObjectId addObject(const ObjectInfo& object);
    ObjectId addObject(std::uint64_t address, std::uint32_t type, std::uint64_t size, std::int64_t refcount,
        std::uint8_t flags, std::uint32_t label = 0);

    void addEdge(ObjectId from, ObjectId to, std::uint32_t label = kNoEdgeLabel);
    void addEdgeToAddress(ObjectId from, std::uint64_t toAddress, std::uint32_t label = kNoEdgeLabel);
    void addEdgeByAddress(std::uint64_t fromAddress, std::uint64_t toAddress, std::uint32_t label = kNoEdgeLabel);

    // Adds `add` to the refcount of the object at `address` once all objects are in, and marks it
    // BorrowedReferences; an address no object has is ignored (as references to it are).
    void addToRefcount(std::uint64_t address, std::int64_t add);

    // Room for this many objects and edges, as a hint: large counts are not taken at their word.
    void reserve(std::size_t objects, std::size_t edges);
    // Indexes objects by address as they are added, for references given by address (a snapshot
    // stream): build() then resolves them at once instead of first indexing every address, and the
    // index's memory is faulted in while the stream arrives. `expected` (a hint) sizes the index;
    // it grows past it.
    void indexAddressesAsAdded(std::size_t expected);
    // For a graph that is stored and dropped (a snapshot received by gcscope snapshot or record):
    // build() of references by address leaves byAddress() to its first caller instead of sorting
    // every object by address beside the resolving (0.8 s at 10M objects). Two objects at one
    // address are refused all the same. A build of references by id (a stored snapshot) always
    // leaves the order to its first caller, and with it the check for a shared address.
    void omitAddressOrder() { addressOrder_ = false; }
    // For objects whose references come by id (a stored snapshot): faults in what reserve() made
    // room for on a thread of its own, ahead of the objects and edges added, until build(). Loading
    // a 10M-object snapshot spent a quarter of its time in the page faults of these arrays.
    void prefaultReserved();
    std::size_t objectCount() const { return graph_.address.size(); }

    // Produces the graph and leaves the builder empty. Edges of one object keep the order they were
    // added in. A reference to an address that is not in the snapshot is dropped and counted in
    // unresolvedEdges(): the agent may see a pointer to an object it did not record.
    // Throws std::invalid_argument when two objects share an address and std::out_of_range when
    // an edge names an ObjectId that was never added or an object a type or label index that was
    // never interned: all mean the producer is broken.
    HeapGraph build();
    // The same, and meanwhile runs `alongside` on a second thread with the graph being built, so
    // that storing it can start before its references are all resolved: every object's own fields
    // (address, type, size, refcount, flags, label) are final from the start, the references of
    // object i once ready.waitFor(i + 1) returned; byAddress and edgeCount() once
    // ready.waitForAll() returned. An exception from `alongside` is thrown by build() after the
    // build is complete; when the build fails, ready's waits throw and build() throws its own.
    using Alongside = std::function<void(const HeapGraph& graph, const ReadyObjects& ready)>;
    HeapGraph build(const Alongside& alongside);
    std::uint64_t unresolvedEdges() const { return unresolvedEdges_; }

private:
    struct PendingEdge {
        std::uint64_t from; // an ObjectId, or an address when fromIsAddress
        std::uint64_t to;
        std::uint32_t label;
        bool fromIsAddress;
        bool toIsAddress;
    };
    // Transparent hashing lets string_view look-ups skip building a std::string.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
    };
    using InternTable = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

    struct RefcountAddition {
        std::uint64_t address;
        std::int64_t add;
    };
    void resolveAddresses();
    template <typename Find> void applyRefcountAdditions(Find&& find);
    void leaveFastPath();
    void finishFastPath();
    HeapGraph buildOrThrow(const Alongside& alongside);
    HeapGraph buildFromAddresses(std::unique_ptr<CodeIndex> index, const Alongside& alongside);
    void buildGeneral();
    // `scratch`, when it holds at least 2 * objectCount() words, is the sort's to use.
    void sortByAddress(std::span<std::uint64_t> scratch = {});
    void indexUpTo(std::size_t objects);
    void resolveFastAddresses(const CodeIndex& index, ReadyObjects* ready);
    HeapGraph takeGraph();

    HeapGraph graph_;
    // The fast path: edges of object i are graph_.edgeTarget (by id) or fastCodes_ (by address)
    // [graph_.edgeBegin[i], graph_.edgeBegin[i + 1]); edgeBegin gets an entry per object added.
    bool fast_ = true;
    bool fastById_ = false;
    bool fastByAddress_ = false;
    // Each reference's address as its code (AddressCodes.h), in the element type of
    // graph_.edgeTarget: the resolved ids are written over the codes in place and the vector becomes
    // edgeTarget, so that resolving needs no fresh memory (4 bytes a reference: 244 MB at 61M
    // references, where whole addresses took twice that). An address without a code moves the
    // references to the general path.
    std::vector<ObjectId> fastCodes_;
    AddressCodes codes_;
    std::size_t edgeHint_ = 0; // reserve()'s edge count
    std::vector<PendingEdge> edges_;
    bool anyAddressEdge_ = false;
    InternTable typeIndex_;
    InternTable stringIndex_;
    std::uint64_t unresolvedEdges_ = 0;
    std::vector<RefcountAddition> refcountAdditions_;
    // indexAddressesAsAdded: objects [0, indexed_) are in liveIndex_, kIndexBatch at a time (see
    // indexUpTo): at most that many behind the newest.
    static constexpr std::size_t kIndexBatch = 32;
    std::unique_ptr<CodeIndex> liveIndex_;
    std::size_t indexed_ = 0;
    bool sharedAddressSeen_ = false; // thrown by build(), as without the live index
    bool addressOrder_ = true; // see omitAddressOrder
    std::unique_ptr<util::Prefaulter> prefaulter_; // while the stream arrives, or a file is read
    // Starts prefaulter_ on the reserved arrays, and first on `index` when given.
    void startPrefaulter(std::span<std::uint64_t> index, util::Prefaulter::Priority priority);
};

} // namespace gcscope::analysis
