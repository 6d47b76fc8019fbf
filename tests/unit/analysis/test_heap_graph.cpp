// The graph model: the builder's CSR, address resolution, labels, and the referrers index.
#include "analysis/AddressOrder.h"
#include "analysis/HeapGraph.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/Referrers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>

using namespace gcscope::analysis;

TEST(HeapGraphBuilder, GivenEdgesByAddressBeforeTheirObjects_WhenBuilt_ThenEachObjectKeepsItsEdgesInArrivalOrder)
{
    HeapGraphBuilder b;
    const auto items = b.internString("items");
    b.addEdgeByAddress(0x300, 0x100, items); // both ends unknown yet
    auto list = b.addObject({ 0x300, "list", 88, 1, Tracked });
    b.addEdgeToAddress(list, 0x200, indexLabel(1));
    auto a = b.addObject({ 0x100, "str", 50, 2, 0, "hello" });
    auto c = b.addObject({ 0x200, "int", 28, 5, 0 });
    b.addEdge(list, a, indexLabel(2));
    b.addEdge(c, a);

    HeapGraph g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), 0u);
    ASSERT_EQ(g.objectCount(), 3u);
    ASSERT_EQ(g.edgeCount(), 4u);
    ASSERT_EQ(g.edgeBegin.size(), 4u);
    auto targets = g.referents(list);
    ASSERT_EQ(targets.size(), 3u);
    EXPECT_EQ(targets[0], a);
    EXPECT_EQ(targets[1], c);
    EXPECT_EQ(targets[2], a);
    auto labels = g.referentLabels(list);
    EXPECT_EQ(g.edgeLabelText(labels[0]), "items");
    EXPECT_EQ(g.edgeLabelText(labels[1]), "[1]");
    EXPECT_EQ(g.edgeLabelText(labels[2]), "[2]");
    EXPECT_TRUE(g.referents(a).empty());
    ASSERT_EQ(g.referents(c).size(), 1u);
    EXPECT_EQ(g.referentLabels(c)[0], kNoEdgeLabel);
    EXPECT_EQ(g.typeName(list), "list");
    EXPECT_EQ(g.labelText(a), "hello");
    EXPECT_EQ(g.labelText(list), "");
    EXPECT_TRUE(g.isTracked(list));
    EXPECT_FALSE(g.isTracked(a));
}

TEST(HeapGraphBuilder, GivenAReferenceToAnAddressNotInTheSnapshot_WhenBuilt_ThenItIsDroppedAndCounted)
{
    HeapGraphBuilder b;
    auto d = b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdgeToAddress(d, 0xdead);
    b.addEdgeByAddress(0xbeef, 0x10);
    b.addEdgeToAddress(d, 0x10);
    HeapGraph g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), 2u);
    ASSERT_EQ(g.edgeCount(), 1u);
    EXPECT_EQ(g.referents(d)[0], d);
}

// References by id (a stored snapshot): the build leaves the address order, and with it the check
// for a shared address, to its first reader; a single find() reads the addresses without it.
TEST(HeapGraphBuilder, GivenTwoObjectsWithOneAddress_WhenBuiltById_ThenItsAddressOrderRefuses)
{
    HeapGraphBuilder b;
    b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addObject({ 0x10, "list", 100, 1, Tracked });
    const auto g = b.build();
    EXPECT_FALSE(g.addressOrder.made());
    EXPECT_EQ(g.find(0x10), 0u);
    EXPECT_THROW(g.byAddress(), std::invalid_argument);
    EXPECT_FALSE(g.addressOrder.made());
    EXPECT_THROW(g.byAddress(), std::invalid_argument); // asked again: refused again, not half made
}

TEST(HeapGraphBuilder, GivenAnEdgeToAnIdNeverAdded_WhenBuilt_ThenItRefuses)
{
    HeapGraphBuilder b;
    auto d = b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdge(d, 7);
    EXPECT_THROW(b.build(), std::out_of_range);
}

TEST(HeapGraphBuilder, GivenAnObjectWithATypeIndexNeverInterned_WhenBuilt_ThenItRefuses)
{
    HeapGraphBuilder b;
    b.addObject(0x10, 3, 100, 1, Tracked);
    EXPECT_THROW(b.build(), std::out_of_range);
}

TEST(HeapGraphBuilder, GivenABuiltGraph_WhenTheBuilderIsUsedAgain_ThenItStartsFromNothing)
{
    HeapGraphBuilder b;
    b.addObject({ 0x10, "dict", 100, 1, Tracked });
    b.addEdge(0, 0);
    (void)b.build();
    EXPECT_EQ(b.objectCount(), 0u);
    b.addObject({ 0x20, "list", 56, 1, Tracked });
    HeapGraph g = b.build();
    ASSERT_EQ(g.objectCount(), 1u);
    EXPECT_EQ(g.edgeCount(), 0u);
    EXPECT_EQ(g.typeNames.size(), 1u);
    EXPECT_EQ(g.strings.size(), 1u);
}

// The counts given to reserve() come from an agent's SnapshotBegin or a file's snapshots row: a
// hostile or damaged one claimed billions (found by fuzz_snapshot_stream: a 6 GB allocation, and
// a length_error for more edges than a vector can hold).
TEST(HeapGraphBuilder, GivenAbsurdCountsToReserve_WhenObjectsArrive_ThenNothingIsAllocatedForThemAndTheGraphBuilds)
{
    HeapGraphBuilder b;
    EXPECT_NO_THROW(b.reserve(std::size_t { 1 } << 40, std::numeric_limits<std::size_t>::max() / 2));
    auto list = b.addObject({ 0x100, "list", 64, 1, Tracked });
    b.addEdgeToAddress(list, 0x100);
    HeapGraph g = b.build();
    EXPECT_EQ(g.objectCount(), 1u);
    EXPECT_EQ(g.edgeCount(), 1u);
    EXPECT_LE(g.address.capacity(), std::size_t { 1 } << 25);
}

TEST(HeapGraph, GivenObjectsAddedOutOfAddressOrder_WhenFoundByAddress_ThenEachIdComesBack)
{
    HeapGraphBuilder b;
    const std::uint64_t addresses[] = { 0x500, 0x100, 0x900, 0x300 };
    for (auto a : addresses)
        b.addObject({ a, "object", 16, 1, Tracked });
    HeapGraph g = b.build();
    for (ObjectId id = 0; id < 4; ++id)
        EXPECT_EQ(g.find(addresses[id]), id);
    EXPECT_EQ(g.find(0x200), kNoObject);
    EXPECT_EQ(g.find(0x1000), kNoObject);
    EXPECT_EQ(g.find(0), kNoObject);
}

TEST(HeapGraph, GivenEdgeLabels_WhenDecoded_ThenIndexAndNameLabelsAreTellable)
{
    EXPECT_TRUE(isIndexLabel(indexLabel(0)));
    EXPECT_EQ(labelIndex(indexLabel(0)), 0u);
    EXPECT_EQ(labelIndex(indexLabel(123456)), 123456u);
    EXPECT_EQ(labelIndex(indexLabel(1ull << 40)), 0x7fffffffu); // clamped, never a name
    EXPECT_FALSE(isNameLabel(kNoEdgeLabel));
    EXPECT_FALSE(isIndexLabel(kNoEdgeLabel));
    HeapGraphBuilder b;
    EXPECT_EQ(b.internString(""), 0u);
    const auto name = b.internString("next");
    EXPECT_EQ(b.internString("next"), name);
    EXPECT_TRUE(isNameLabel(name));
    HeapGraph g = b.build();
    EXPECT_EQ(g.strings[0], "");
    EXPECT_EQ(g.edgeLabelText(name), "next");
    EXPECT_EQ(g.edgeLabelText(kNoEdgeLabel), "");
}

TEST(Referrers, GivenAListHoldingAnObjectTwice_WhenReferrersAreBuilt_ThenBothReferencesAppearInSourceOrder)
{
    HeapGraphBuilder b;
    auto target = b.addObject({ 0x10, "str", 50, 3, 0 });
    auto list = b.addObject({ 0x20, "list", 72, 1, Tracked });
    auto dict = b.addObject({ 0x30, "dict", 100, 1, Tracked });
    const auto key = b.internString("k");
    b.addEdge(dict, target, key);
    b.addEdge(list, target, indexLabel(0));
    b.addEdge(list, target, indexLabel(1));
    b.addEdge(list, dict, indexLabel(2));
    HeapGraph g = b.build();
    Referrers r = buildReferrers(g);

    auto expected = std::vector<Reference> { { list, indexLabel(0) }, { list, indexLabel(1) }, { dict, key } };
    EXPECT_EQ(referrersOf(g, r, target), expected);
    EXPECT_EQ(referrersOf(g, r, dict), (std::vector<Reference> { { list, indexLabel(2) } }));
    EXPECT_TRUE(referrersOf(g, r, list).empty());
    EXPECT_EQ(referentsOf(g, list),
        (std::vector<Reference> { { target, indexLabel(0) }, { target, indexLabel(1) }, { dict, indexLabel(2) } }));
    EXPECT_EQ(r.objectCount(), g.objectCount());
    EXPECT_EQ(r.source.size(), g.edgeCount());
}

namespace {

struct PlannedObject {
    std::uint64_t address;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> refs; // target address, label
};

// A random heap: n objects at scattered addresses, each with up to 6 references, some of them to
// addresses that hold no object.
std::vector<PlannedObject> randomHeap(std::size_t n, unsigned seed)
{
    std::mt19937_64 random(seed);
    std::vector<PlannedObject> heap(n);
    std::vector<std::uint64_t> addresses;
    std::uint64_t at = 0x7f0000000000ull;
    for (auto& o : heap) {
        at += 16 * (1 + random() % 40);
        o.address = at;
        addresses.push_back(at);
    }
    std::shuffle(addresses.begin(), addresses.end(), random);
    for (std::size_t i = 0; i < n; ++i)
        heap[i].address = addresses[i]; // ids in no address order, as a heap's walk gives them
    for (std::size_t i = 0; i < n; ++i) {
        const auto count = random() % 7;
        for (std::uint64_t r = 0; r < count; ++r) {
            const bool missing = random() % 50 == 0;
            const std::uint64_t target = missing ? 0x1000 + 8 * (random() % 1000) : heap[random() % n].address;
            heap[i].refs.push_back({ target, static_cast<std::uint32_t>(random() % 3 == 0 ? indexLabel(r) : 0) });
        }
    }
    return heap;
}

// The graph the general path builds: every edge given by both addresses after all the objects,
// in reverse, which no fast path takes.
HeapGraph buildByTheGeneralPath(const std::vector<PlannedObject>& heap, std::uint64_t& unresolved)
{
    HeapGraphBuilder b;
    const auto type = b.internType("object");
    for (const auto& o : heap)
        b.addObject(o.address, type, 16, 1, Tracked);
    std::vector<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t>> edges;
    for (const auto& o : heap)
        for (const auto& [target, label] : o.refs)
            edges.emplace_back(o.address, target, label);
    // Sources in reverse, each source's edges still in order.
    std::stable_sort(
        edges.begin(), edges.end(), [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
    for (const auto& [from, to, label] : edges)
        b.addEdgeByAddress(from, to, label);
    auto g = b.build();
    unresolved = b.unresolvedEdges();
    return g;
}

void expectSameGraph(const HeapGraph& a, const HeapGraph& b)
{
    EXPECT_EQ(a.address, b.address);
    EXPECT_EQ(a.edgeBegin, b.edgeBegin);
    EXPECT_EQ(a.edgeTarget, b.edgeTarget);
    EXPECT_EQ(a.edgeLabel, b.edgeLabel);
    EXPECT_EQ(a.byAddress(), b.byAddress());
}

// A snapshot stream of `heap` fed to a builder by address, the fast path.
void feedByAddress(HeapGraphBuilder& b, const std::vector<PlannedObject>& heap)
{
    b.reserve(heap.size(), heap.size() * 3);
    const auto type = b.internType("object");
    for (const auto& o : heap) {
        const auto id = b.addObject(o.address, type, 16, 1, Tracked);
        for (const auto& [target, label] : o.refs)
            b.addEdgeToAddress(id, target, label);
    }
}
} // namespace

// A snapshot stream gives each object's references right after it, by address: the builder's fast
// path. It must build exactly the graph the general path builds from the same edges in any order,
// on a heap big enough that it sorts by address on a second thread.
TEST(HeapGraphBuilder,
    GivenEachObjectsReferencesByAddressRightAfterIt_WhenBuilt_ThenTheGraphIsTheOneTheGeneralPathBuilds)
{
    const auto heap = randomHeap(200000, 7);
    std::uint64_t generalUnresolved = 0;
    const auto expected = buildByTheGeneralPath(heap, generalUnresolved);
    ASSERT_GT(generalUnresolved, 0u);

    HeapGraphBuilder b;
    feedByAddress(b, heap);
    const auto g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), generalUnresolved);
    expectSameGraph(g, expected);
    // byAddress lists every id once, by address.
    ASSERT_EQ(g.byAddress().size(), heap.size());
    std::vector<bool> seen(heap.size());
    for (std::size_t i = 0; i < g.byAddress().size(); ++i) {
        ASSERT_FALSE(seen[g.byAddress()[i]]);
        seen[g.byAddress()[i]] = true;
        if (i > 0) {
            ASSERT_LT(g.address[g.byAddress()[i - 1]], g.address[g.byAddress()[i]]);
        }
    }
    EXPECT_EQ(g.find(heap[1234].address), 1234u);
}

// A stored snapshot read with its arrays faulted in ahead (prefaultReserved, as loadSnapshot does):
// the same graph as without, with fewer edges than reserved, more, and none.
TEST(HeapGraphBuilder, GivenReservedArraysFaultedInAhead_WhenObjectsAndEdgesByIdAreAdded_ThenTheGraphIsTheSame)
{
    const auto heap = randomHeap(300000, 13);
    std::unordered_map<std::uint64_t, ObjectId> idOf;
    for (std::size_t i = 0; i < heap.size(); ++i)
        idOf[heap[i].address] = static_cast<ObjectId>(i);
    const auto load = [&](bool prefault, std::size_t edgeHint, bool withEdges) {
        HeapGraphBuilder b;
        b.reserve(heap.size(), edgeHint);
        if (prefault)
            b.prefaultReserved();
        const auto type = b.internType("object");
        for (const auto& o : heap) {
            const auto id = b.addObject(o.address, type, 16, 1, Tracked);
            if (prefault)
                b.prefaultReserved(); // once objects came: nothing more
            for (const auto& [target, label] : o.refs)
                if (const auto it = idOf.find(target); withEdges && it != idOf.end())
                    b.addEdge(id, it->second, label);
        }
        return b.build();
    };
    for (const std::size_t hint : { std::size_t { 0 }, heap.size(), heap.size() * 10 })
        for (const bool withEdges : { true, false }) {
            SCOPED_TRACE(testing::Message() << "edge hint " << hint << (withEdges ? "" : ", no edges"));
            expectSameGraph(load(true, hint, withEdges), load(false, hint, withEdges));
        }
}

// A stored snapshot gives them by id; a reference out of that order (to an earlier object, or one
// by address among ones by id) sends what the fast path holds to the general one.
TEST(HeapGraphBuilder, GivenReferencesByIdThenOneOutOfOrder_WhenBuilt_ThenNoEdgeIsLostOrMoved)
{
    const auto heap = randomHeap(5000, 11);
    for (const int breakAt : { -1, 0, 2500, 4999 }) {
        for (const bool byAddress : { false, true }) {
            SCOPED_TRACE(testing::Message() << "break at " << breakAt << (byAddress ? " by address" : " by id"));
            // The expected graph, by ids, in order, and the same edges given object by object.
            HeapGraphBuilder order;
            const auto t2 = order.internType("object");
            std::unordered_map<std::uint64_t, ObjectId> idOf;
            for (std::size_t i = 0; i < heap.size(); ++i)
                idOf[heap[i].address] = static_cast<ObjectId>(i);
            HeapGraphBuilder fast;
            const auto t3 = fast.internType("object");
            HeapGraph want;
            {
                for (std::size_t i = 0; i < heap.size(); ++i) {
                    const auto id = order.addObject(heap[i].address, t2, 16, 1, Tracked);
                    for (const auto& [target, label] : heap[i].refs)
                        if (idOf.count(target))
                            order.addEdge(id, idOf[target], label);
                }
                want = order.build();
            }
            for (std::size_t i = 0; i < heap.size(); ++i) {
                const auto id = fast.addObject(heap[i].address, t3, 16, 1, Tracked);
                for (const auto& [target, label] : heap[i].refs)
                    if (idOf.count(target))
                        fast.addEdge(id, idOf[target], label);
                if (static_cast<int>(i) == breakAt) {
                    // One more edge of object 0, out of order.
                    if (byAddress)
                        fast.addEdgeByAddress(heap[0].address, heap[1].address, 5);
                    else
                        fast.addEdge(0, 1, 5);
                }
            }
            const auto g = fast.build();
            if (breakAt < 0) {
                expectSameGraph(g, want);
                continue;
            }
            ASSERT_EQ(g.edgeCount(), want.edgeCount() + 1);
            // Object 0 has the extra edge last; everything else is unchanged.
            const auto zero = g.referents(0);
            ASSERT_EQ(zero.size(), want.referents(0).size() + 1);
            EXPECT_EQ(zero.back(), 1u);
            EXPECT_EQ(g.referentLabels(0).back(), 5u);
            for (ObjectId o = 1; o < g.objectCount(); ++o) {
                const auto got = g.referents(o), expected = want.referents(o);
                ASSERT_TRUE(std::equal(got.begin(), got.end(), expected.begin(), expected.end())) << o;
            }
            EXPECT_EQ(g.byAddress(), want.byAddress());
        }
    }
}

TEST(HeapGraphBuilder, GivenTwoObjectsWithOneAddressOnABigHeap_WhenBuiltByTheFastPath_ThenItRefuses)
{
    HeapGraphBuilder b;
    const auto type = b.internType("object");
    for (std::uint64_t i = 0; i < 100000; ++i) {
        const auto id = b.addObject(0x1000 + 16 * (i == 99999 ? 5 : i), type, 16, 1, Tracked);
        b.addEdgeToAddress(id, 0x1000);
    }
    EXPECT_THROW(b.build(), std::invalid_argument);
}

TEST(HeapGraphBuilder, GivenAReferenceByIdToAnObjectNeverAdded_WhenBuiltByTheFastPath_ThenItRefuses)
{
    HeapGraphBuilder b;
    const auto type = b.internType("object");
    const auto a = b.addObject(0x10, type, 16, 1, Tracked);
    b.addEdge(a, 0);
    const auto c = b.addObject(0x20, type, 16, 1, Tracked);
    b.addEdge(c, 2);
    EXPECT_THROW(b.build(), std::out_of_range);
}

// A snapshot's string table is taken as it is: ids keep their meaning, and a text that occurs
// twice is found at both ids.
TEST(HeapGraphBuilder, GivenAStringTableWithARepeatedText_WhenAdopted_ThenLabelsKeepTheirIdsAndBothAreFound)
{
    HeapGraphBuilder b;
    b.adoptStrings({ "", "__dict__", "hello", "__dict__" });
    const auto type = b.internType("object");
    const auto a = b.addObject(0x10, type, 16, 1, Tracked, 2);
    b.addEdgeToAddress(a, 0x20, 3);
    b.addObject(0x20, type, 16, 1, Tracked);
    const auto g = b.build();
    EXPECT_EQ(g.labelText(a), "hello");
    EXPECT_EQ(g.edgeLabelText(g.referentLabels(a)[0]), "__dict__");
    EXPECT_EQ(g.stringIdsOf("__dict__"), (std::vector<std::uint32_t> { 1, 3 }));
    EXPECT_TRUE(g.stringIdsOf("absent").empty());

    HeapGraphBuilder bad;
    EXPECT_THROW(bad.adoptStrings({ "x" }), std::invalid_argument);
    HeapGraphBuilder late;
    late.internString("name");
    EXPECT_THROW(late.adoptStrings({ "" }), std::logic_error);
}

// What runs alongside the build (storing the snapshot) reads each object as soon as ready says its
// references are final, while the builder still resolves the ones after it: what it reads must be
// the finished graph, object for object, and byAddress must be there once it waits for all.
TEST(HeapGraphBuilder, GivenSomethingRunningAlongside_WhenBuilt_ThenEachObjectItReadsAsReadyIsAsInTheFinishedGraph)
{
    const auto heap = randomHeap(300000, 13);
    for (const bool slowReader : { false, true }) {
        SCOPED_TRACE(slowReader ? "a reader slower than the builder" : "a reader as fast as it can");
        HeapGraphBuilder b;
        feedByAddress(b, heap);
        std::vector<std::vector<std::pair<ObjectId, std::uint32_t>>> seen(heap.size());
        std::size_t waits = 0, firstReady = 0;
        std::vector<ObjectId> byAddressSeen;
        const auto g = b.build([&](const HeapGraph& graph, const ReadyObjects& ready) {
            std::size_t final = 0;
            for (ObjectId id = 0; id < graph.objectCount(); ++id) {
                if (id >= final) {
                    final = ready.waitFor(std::size_t { id } + 1);
                    if (waits++ == 0)
                        firstReady = final;
                }
                ASSERT_GT(final, id);
                const auto targets = graph.referents(id);
                const auto labels = graph.referentLabels(id);
                for (std::size_t i = 0; i < targets.size(); ++i)
                    seen[id].emplace_back(targets[i], labels[i]);
                if (slowReader && id % 20000 == 0)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
            ready.waitForAll();
            byAddressSeen = graph.byAddress();
        });
        EXPECT_GT(waits, 1u) << "it never waited: nothing ran alongside";
        EXPECT_LT(firstReady, heap.size()) << "the first objects were not ready before the last";
        ASSERT_EQ(g.objectCount(), heap.size());
        for (ObjectId id = 0; id < g.objectCount(); ++id) {
            const auto targets = g.referents(id);
            ASSERT_EQ(seen[id].size(), targets.size()) << id;
            for (std::size_t i = 0; i < targets.size(); ++i) {
                ASSERT_EQ(seen[id][i].first, targets[i]) << id;
                ASSERT_EQ(seen[id][i].second, g.referentLabels(id)[i]) << id;
            }
        }
        EXPECT_EQ(byAddressSeen, g.byAddress());
        EXPECT_EQ(g.find(heap[4321].address), 4321u);
    }
}

// The agent's refcount corrections (3.14+ borrowed references) are in before anything reads an
// object; a correction for an address no object has is left out.
TEST(HeapGraphBuilder, GivenRefcountAdditions_WhenBuiltWithSomethingAlongside_ThenItSeesThemFromTheStart)
{
    const auto heap = randomHeap(100000, 17);
    for (const bool alongside : { false, true }) {
        HeapGraphBuilder b;
        feedByAddress(b, heap);
        b.addToRefcount(heap[5].address, 3);
        b.addToRefcount(heap[99999].address, 1);
        b.addToRefcount(0xdead0, 7); // not in the heap
        std::int64_t lastSeenEarly = 0;
        const auto g = alongside
            ? b.build([&](const HeapGraph& graph, const ReadyObjects&) { lastSeenEarly = graph.refcount[99999]; })
            : b.build();
        EXPECT_EQ(g.refcount[5], 4);
        EXPECT_EQ(g.refcount[99999], 2);
        EXPECT_EQ(g.refcount[6], 1);
        EXPECT_TRUE(g.flags[5] & BorrowedReferences);
        EXPECT_FALSE(g.flags[6] & BorrowedReferences);
        if (alongside) {
            EXPECT_EQ(lastSeenEarly, 2);
        }
    }
    // By the general path (references by id out of order), the same.
    HeapGraphBuilder general;
    const auto type = general.internType("object");
    const auto a = general.addObject(0x10, type, 16, 1, Tracked);
    const auto c = general.addObject(0x20, type, 16, 1, Tracked);
    general.addEdge(c, a);
    general.addEdge(a, c);
    general.addToRefcount(0x20, 5);
    const auto g = general.build([](const HeapGraph& graph, const ReadyObjects& ready) {
        EXPECT_EQ(ready.waitFor(2), 2u);
        EXPECT_EQ(graph.refcount[1], 6);
    });
    EXPECT_EQ(g.refcount[1], 6);
}

// A failure on either side: what runs alongside throws (a disk full), or the stream does not add
// up (two objects at one address), which is found before anything runs alongside.
TEST(HeapGraphBuilder, GivenAFailureOnEitherSide_WhenBuiltWithSomethingAlongside_ThenBuildThrowsIt)
{
    const auto heap = randomHeap(200000, 19);
    {
        HeapGraphBuilder b;
        feedByAddress(b, heap);
        EXPECT_THROW(b.build([](const HeapGraph&, const ReadyObjects& ready) {
            ready.waitFor(1000);
            throw std::length_error("the disk is full");
        }),
            std::length_error);
        // The builder starts from nothing again.
        const auto type = b.internType("object");
        b.addObject(0x10, type, 16, 1, Tracked);
        EXPECT_EQ(b.build().objectCount(), 1u);
    }
    {
        HeapGraphBuilder b;
        feedByAddress(b, heap);
        const auto type = b.internType("object");
        b.addObject(heap[7].address, type, 16, 1, Tracked);
        bool ran = false;
        EXPECT_THROW(b.build([&](const HeapGraph&, const ReadyObjects&) { ran = true; }), std::invalid_argument);
        EXPECT_FALSE(ran);
    }
}

// byAddress packs each object's address bits and its place into one 64-bit key; addresses spread
// over more bits than fit beside the ids are first dealt into buckets by their top bits. Either
// way every id comes once, in address order, and two objects at one address are refused.
TEST(HeapGraphBuilder, GivenAddressesSpreadOverMoreBitsThanFitBesideTheIds_WhenBuilt_ThenByAddressIsInOrder)
{
    std::mt19937_64 random(23);
    for (const int spreadBits : { 20, 40, 62 }) {
        SCOPED_TRACE(testing::Message() << "addresses over " << spreadBits << " bits");
        for (const bool duplicate : { false, true }) {
            HeapGraphBuilder b; // by id: the sort is what finds two objects at one address
            const auto type = b.internType("object");
            std::unordered_map<std::uint64_t, bool> used;
            std::vector<std::uint64_t> addresses;
            const std::size_t n = spreadBits == 20 ? 50000 : 300000;
            while (addresses.size() < n) {
                const std::uint64_t a = (random() & ((std::uint64_t { 1 } << spreadBits) - 1)) & ~std::uint64_t { 15 };
                if (a != 0 && used.emplace(a, true).second)
                    addresses.push_back(a);
            }
            if (duplicate)
                addresses[n / 3] = addresses[2 * n / 3];
            for (std::size_t i = 0; i < n; ++i) {
                const auto id = b.addObject(addresses[i], type, 16, 1, Tracked);
                b.addEdge(id, static_cast<ObjectId>((i * 7919) % n));
            }
            const auto g = b.build();
            if (duplicate) {
                EXPECT_THROW(g.byAddress(), std::invalid_argument);
                continue;
            }
            ASSERT_EQ(g.byAddress().size(), n);
            std::vector<bool> seen(n);
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_FALSE(seen[g.byAddress()[i]]);
                seen[g.byAddress()[i]] = true;
                if (i > 0) {
                    ASSERT_LT(g.address[g.byAddress()[i - 1]], g.address[g.byAddress()[i]]) << i;
                }
            }
            EXPECT_EQ(g.find(addresses[n / 2]), n / 2);
            EXPECT_EQ(g.find(addresses[n / 2] + 8), kNoObject);
        }
    }
}

// A stored snapshot ends with its leaves in address order: only the objects before them are
// sorted, then merged with them. The order is the same as a whole sort's whatever the tail's
// length; an address shared by an object before the tail and one in it is refused all the same.
TEST(HeapGraph,
    GivenObjectsWhoseLastOnesAreInAddressOrder_WhenOrderedByAddress_ThenTheOrderIsAsAWholeSortsAndASharedAddressIsRefused)
{
    std::mt19937_64 random(29);
    const std::size_t n = 40000;
    for (const std::size_t tail : { std::size_t { 0 }, std::size_t { 1000 }, n / 3, n - 1, n }) {
        for (const bool duplicate : { false, true }) {
            SCOPED_TRACE(testing::Message() << "ascending tail of " << tail << (duplicate ? ", shared address" : ""));
            std::unordered_map<std::uint64_t, bool> used;
            std::vector<std::uint64_t> addresses;
            while (addresses.size() < n) {
                const std::uint64_t a = (random() & ((std::uint64_t { 1 } << 40) - 1)) & ~std::uint64_t { 15 };
                if (a != 0 && used.emplace(a, true).second)
                    addresses.push_back(a);
            }
            std::sort(addresses.end() - static_cast<std::ptrdiff_t>(tail), addresses.end());
            if (duplicate) { // one before the tail (or the first) at the address of one in it (or the last)
                if (tail == 0 || tail == n)
                    addresses[0] = addresses[n - 1];
                else
                    addresses[(n - tail) / 2] = addresses[n - tail + tail / 2];
            }
            if (duplicate) {
                EXPECT_THROW(sortedByAddress(addresses), std::invalid_argument);
                continue;
            }
            const auto ids = sortedByAddress(addresses);
            std::vector<ObjectId> want(n);
            for (std::size_t i = 0; i < n; ++i)
                want[i] = static_cast<ObjectId>(i);
            std::sort(want.begin(), want.end(), [&](ObjectId x, ObjectId y) { return addresses[x] < addresses[y]; });
            EXPECT_EQ(ids, want);
        }
    }
}

// Built by id, the order is made by the first of several threads asking at once, the others wait
// for it; all get the same, complete order. A lookup before it is made reads the addresses.
TEST(HeapGraphBuilder, GivenAGraphBuiltById_WhenThreadsAskForItsAddressOrderAtOnce_ThenOneMakesItForAll)
{
    const auto heap = randomHeap(200000, 41);
    HeapGraphBuilder b;
    for (const auto& o : heap)
        b.addObject(o.address, b.internType("object"), 16, 1, Tracked);
    const auto g = b.build();
    EXPECT_FALSE(g.addressOrder.made());
    EXPECT_EQ(g.find(heap[777].address), 777u);
    EXPECT_EQ(g.find(heap[777].address + 8), kNoObject);
    EXPECT_FALSE(g.addressOrder.made()) << "a single lookup should not sort";
    const auto copyBefore = g; // copied unmade: makes its own
    std::vector<const std::vector<ObjectId>*> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t)
        threads.emplace_back([&, t] { seen[t] = &g.byAddress(); });
    for (auto& t : threads)
        t.join();
    ASSERT_TRUE(g.addressOrder.made());
    for (const auto* order : seen)
        EXPECT_EQ(order, seen[0]);
    const auto& order = *seen[0];
    ASSERT_EQ(order.size(), heap.size());
    std::vector<bool> listed(heap.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        ASSERT_FALSE(listed[order[i]]);
        listed[order[i]] = true;
        if (i > 0) {
            ASSERT_LT(g.address[order[i - 1]], g.address[order[i]]);
        }
    }
    EXPECT_EQ(g.find(heap[777].address), 777u);
    EXPECT_EQ(g.find(heap[777].address + 8), kNoObject);
    // Copies: one made after the order takes it as it is; one made before makes its own.
    const auto copyAfter = g;
    EXPECT_TRUE(copyAfter.addressOrder.made());
    EXPECT_EQ(copyAfter.byAddress(), order);
    EXPECT_FALSE(copyBefore.addressOrder.made());
    EXPECT_EQ(copyBefore.byAddress(), order);
}

// The receiver indexes addresses as a snapshot stream arrives (indexAddressesAsAdded): whatever the
// hint (none, too small so that the index grows several times, right, too big), and with or
// without something storing alongside, the graph is the one the general path builds. The objects
// are not a whole number of the index's batches: the last few are indexed by build().
TEST(HeapGraphBuilder, GivenAddressesIndexedAsObjectsArrive_WhenBuilt_ThenTheGraphIsTheOneTheGeneralPathBuilds)
{
    const auto heap = randomHeap(100003, 19);
    std::uint64_t generalUnresolved = 0;
    const auto expected = buildByTheGeneralPath(heap, generalUnresolved);
    for (const std::size_t hint : { std::size_t { 0 }, std::size_t { 1000 }, heap.size(), 4 * heap.size() }) {
        for (const bool alongside : { false, true }) {
            SCOPED_TRACE(testing::Message() << "hint " << hint << (alongside ? ", alongside" : ""));
            HeapGraphBuilder b;
            b.indexAddressesAsAdded(hint);
            feedByAddress(b, heap);
            std::size_t seen = 0;
            const auto g = alongside ? b.build([&](const HeapGraph& graph, const ReadyObjects& ready) {
                ready.waitForAll();
                seen = graph.objectCount();
            })
                                     : b.build();
            EXPECT_EQ(b.unresolvedEdges(), generalUnresolved);
            expectSameGraph(g, expected);
            EXPECT_EQ(g.byAddress(), expected.byAddress());
            if (alongside) {
                EXPECT_EQ(seen, heap.size());
            }
        }
    }
}

// An object or a reference at an address that has no code (analysis/AddressCodes.h: not 8-byte
// aligned, or at or above 2^48) sends the stream's references to the general path, wherever in the
// stream it comes, with the addresses indexed as they arrive or not: the graph is the same.
TEST(HeapGraphBuilder, GivenAStreamWithAnAddressThatHasNoCode_WhenBuilt_ThenTheGraphIsTheOneTheGeneralPathBuilds)
{
    for (const bool objectWithout : { true, false }) {
        for (const std::size_t at : { std::size_t { 5 }, std::size_t { 50000 }, std::size_t { 99990 } }) {
            auto heap = randomHeap(100000, 29);
            if (objectWithout) { // one object moves past 2^48, and every reference to it with it
                const std::uint64_t from = heap[at].address, to = (std::uint64_t { 1 } << 48) + 16 * at;
                for (auto& o : heap)
                    for (auto& ref : o.refs)
                        if (ref.first == from)
                            ref.first = to;
                heap[at].address = to;
                heap[at / 2].refs.push_back({ to, 0 });
            } else { // one reference to an unaligned address, another past 2^48: neither holds an object
                heap[at].refs.push_back({ heap[at].address + 4, 0 });
                heap[at].refs.push_back({ std::uint64_t { 1 } << 50, 0 });
            }
            std::uint64_t generalUnresolved = 0;
            const auto expected = buildByTheGeneralPath(heap, generalUnresolved);
            for (const bool indexed : { false, true }) {
                SCOPED_TRACE(testing::Message() << (objectWithout ? "an object" : "references") << " at " << at
                                                << (indexed ? ", indexed as they arrive" : ""));
                HeapGraphBuilder b;
                if (indexed)
                    b.indexAddressesAsAdded(heap.size());
                feedByAddress(b, heap);
                const auto g = b.build();
                EXPECT_EQ(b.unresolvedEdges(), generalUnresolved);
                expectSameGraph(g, expected);
                if (objectWithout) {
                    EXPECT_EQ(g.find(heap[at].address), at);
                }
            }
        }
    }
}

// Objects without a code that no reference names still send the stream to the general path: two
// of them are two objects (not one address twice), each is found, and a refcount correction
// reaches it.
TEST(HeapGraphBuilder, GivenObjectsWithoutACodeThatNothingReferences_WhenBuilt_ThenEachIsFoundAndCorrected)
{
    const auto heap = randomHeap(20000, 31);
    const std::uint64_t far = std::uint64_t { 1 } << 48;
    for (const bool indexed : { false, true }) {
        SCOPED_TRACE(indexed ? "indexed as they arrive" : "indexed at the end");
        HeapGraphBuilder b;
        if (indexed)
            b.indexAddressesAsAdded(heap.size() + 2);
        feedByAddress(b, heap);
        const auto type = b.internType("object");
        const auto first = b.addObject(far + 16, type, 16, 1, Tracked);
        const auto second = b.addObject(far + 32, type, 16, 1, Tracked);
        b.addToRefcount(far + 16, 5);
        const auto g = b.build();
        ASSERT_EQ(g.objectCount(), heap.size() + 2);
        EXPECT_EQ(g.find(far + 16), first);
        EXPECT_EQ(g.find(far + 32), second);
        EXPECT_EQ(g.refcount[first], 6);
        EXPECT_TRUE(g.flags[first] & BorrowedReferences);
        EXPECT_EQ(g.refcount[second], 1);
    }
}

// A snapshot only stored needs no address order: told so, the builder leaves byAddress() to its
// first caller but builds the same graph otherwise, alongside or not; two objects at one address
// are still refused; the next build sorts again.
TEST(HeapGraphBuilder, GivenTheAddressOrderOmitted_WhenAStreamIsBuilt_ThenOnlyTheOrderIsLeftToItsFirstReader)
{
    const auto heap = randomHeap(100000, 23);
    std::uint64_t generalUnresolved = 0;
    const auto expected = buildByTheGeneralPath(heap, generalUnresolved);
    HeapGraphBuilder b;
    for (const bool alongside : { false, true }) {
        SCOPED_TRACE(alongside ? "alongside" : "alone");
        b.indexAddressesAsAdded(heap.size());
        b.omitAddressOrder();
        feedByAddress(b, heap);
        const auto g
            = alongside ? b.build([](const HeapGraph&, const ReadyObjects& ready) { ready.waitForAll(); }) : b.build();
        EXPECT_EQ(g.address, expected.address);
        EXPECT_EQ(g.edgeBegin, expected.edgeBegin);
        EXPECT_EQ(g.edgeTarget, expected.edgeTarget);
        EXPECT_EQ(g.edgeLabel, expected.edgeLabel);
        EXPECT_EQ(b.unresolvedEdges(), generalUnresolved);
        EXPECT_FALSE(g.addressOrder.made());
        EXPECT_EQ(g.find(heap[4321].address), 4321u);
        EXPECT_EQ(g.byAddress(), expected.byAddress());
    }
    // Told again for a stream with a shared address: refused as ever.
    const auto type = b.internType("object");
    b.indexAddressesAsAdded(10);
    b.omitAddressOrder();
    for (std::uint64_t i = 0; i < 5000; ++i) {
        const auto id = b.addObject(0x1000 + 16 * (i == 4000 ? 7 : i), type, 16, 1, Tracked);
        b.addEdgeToAddress(id, 0x1000);
    }
    EXPECT_THROW(b.build(), std::invalid_argument);
    // Not told: the order is back.
    b.indexAddressesAsAdded(heap.size());
    feedByAddress(b, heap);
    const auto sorted = b.build();
    EXPECT_TRUE(sorted.addressOrder.made());
    EXPECT_EQ(sorted.byAddress(), expected.byAddress());
}

// Two objects at one address are found by the index as they arrive, and refused by build() as
// before: the stream's error comes at its end, not in the middle of receiving.
TEST(HeapGraphBuilder, GivenTwoObjectsWithOneAddressIndexedAsTheyArrive_WhenBuilt_ThenItRefusesAndStartsAgainClean)
{
    HeapGraphBuilder b;
    const auto type = b.internType("object");
    b.indexAddressesAsAdded(10);
    for (std::uint64_t i = 0; i < 5000; ++i) {
        const auto id = b.addObject(0x1000 + 16 * (i == 4000 ? 7 : i), type, 16, 1, Tracked);
        b.addEdgeToAddress(id, 0x1000);
    }
    EXPECT_THROW(b.build(), std::invalid_argument);
    // The builder starts from nothing again, without the old index.
    const auto t = b.internType("object");
    const auto x = b.addObject(0x1000, t, 16, 1, Tracked);
    b.addEdgeToAddress(x, 0x1000);
    const auto g = b.build();
    ASSERT_EQ(g.objectCount(), 1u);
    EXPECT_EQ(g.referents(0).size(), 1u);
}

// A stream that leaves the fast path (a reference out of order) drops the live index and still
// resolves every address.
TEST(HeapGraphBuilder, GivenAddressesIndexedAsTheyArriveThenAReferenceOutOfOrder_WhenBuilt_ThenEveryEdgeResolves)
{
    const auto heap = randomHeap(20000, 23);
    std::uint64_t generalUnresolved = 0;
    const auto expected = buildByTheGeneralPath(heap, generalUnresolved);
    HeapGraphBuilder b;
    b.indexAddressesAsAdded(heap.size());
    feedByAddress(b, heap);
    b.addEdgeByAddress(heap[0].address, heap[1].address, 5);
    const auto g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), generalUnresolved);
    ASSERT_EQ(g.edgeCount(), expected.edgeCount() + 1);
    EXPECT_EQ(g.referents(0).back(), 1u);
    EXPECT_EQ(g.byAddress(), expected.byAddress());
}

// The live index places the slots of 1 KiB of address space near each other: objects packed every
// 16 bytes, objects off the 16-byte grid (8 past it), regions far apart and references to addresses
// a few bytes from an object must all resolve as a plain map from address to id says.
TEST(HeapGraphBuilder,
    GivenObjectsPackedEvery16BytesAndOffTheGrid_WhenIndexedAsTheyArrive_ThenEachReferenceIsTheMapsAnswer)
{
    std::mt19937_64 random(31);
    constexpr std::size_t kObjects = 200000;
    std::vector<std::uint64_t> addresses;
    std::unordered_map<std::uint64_t, ObjectId> idOf;
    std::uint64_t at = 0x7f0000000000ull;
    for (std::size_t i = 0; i < kObjects; ++i) {
        const auto r = random() % 100;
        if (r == 0)
            at += (1ull << 20) * (1 + random() % 5000); // a new arena, far away
        else
            at += r < 55 ? 16 : r < 75 ? 24 : r < 90 ? 32 : 48; // 24: off the grid by 8 in turn
        addresses.push_back(at);
        idOf.emplace(at, static_cast<ObjectId>(i));
    }
    ASSERT_GT(std::count_if(addresses.begin(), addresses.end(), [](std::uint64_t a) { return a % 16 != 0; }), 10000);

    HeapGraphBuilder b;
    b.indexAddressesAsAdded(kObjects);
    b.reserve(kObjects, 4 * kObjects);
    const auto type = b.internType("object");
    std::vector<ObjectId> expectedTargets;
    std::vector<EdgeIndex> expectedBegin { 0 };
    std::uint64_t expectedUnresolved = 0;
    for (std::size_t i = 0; i < kObjects; ++i) {
        const auto id = b.addObject(addresses[i], type, 16, 1, Tracked);
        for (int k = 0; k < 4; ++k) {
            const auto r = random() % 10;
            std::uint64_t target = addresses[random() % kObjects];
            if (r == 0)
                target += 8; // inside an object, or a neighbour 8 bytes on
            else if (r == 1)
                target = addresses[i] + 16 * (random() % 64); // near by: an object or a gap
            b.addEdgeToAddress(id, target, 0);
            const auto found = idOf.find(target);
            if (found == idOf.end())
                ++expectedUnresolved;
            else
                expectedTargets.push_back(found->second);
        }
        expectedBegin.push_back(expectedTargets.size());
    }
    const auto g = b.build();
    EXPECT_EQ(b.unresolvedEdges(), expectedUnresolved);
    EXPECT_GT(expectedUnresolved, kObjects / 10);
    EXPECT_EQ(g.edgeBegin, expectedBegin);
    EXPECT_EQ(g.edgeTarget, expectedTargets);
    for (ObjectId i = 0; i < kObjects; i += 997)
        EXPECT_EQ(g.find(addresses[i]), i);
}
