// Heap snapshots taken by the agent inside real Python processes, checked against what the target
// itself says about its heap (gc.get_objects(), sys.getrefcount(), sys.getsizeof(), gc.get_stats()).
#include "agent_fixture.h"
#include "snapshot_client.h"

#include <cstdlib>
#include <map>

namespace gcscope::test {
namespace {

using wire::MessageType;

class AgentSnapshot : public AgentTarget {
protected:
    // A snapshot of the target while it waits for its next command (its heap holds still).
    ReceivedSnapshot snapshotWhenIdle(std::uint32_t flags = 0, std::uint32_t maxLabel = 60)
    {
        EXPECT_TRUE(host->waitUntilIdle()) << "the target never went back to reading its commands";
        auto snapshot = requestSnapshot(*endpoint, ++snapshotId_, flags, maxLabel);
        EXPECT_TRUE(snapshot.complete) << snapshot.error;
        return snapshot;
    }

    std::uint32_t snapshotId_ = 0;
};

std::uint64_t id(const nlohmann::json& value)
{
    return value.get<std::uint64_t>();
}

// Every reference leads to an object the snapshot holds: tracked, or sent once as a leaf.
void expectResolvable(const ReceivedSnapshot& s)
{
    std::uint64_t unresolved = 0;
    for (const auto& o : s.objects)
        for (const auto& r : o.references)
            if (!s.at(r.target))
                ++unresolved;
    EXPECT_EQ(unresolved, 0u);
}

std::map<std::string, std::uint64_t> trackedPerType(const ReceivedSnapshot& s)
{
    std::map<std::string, std::uint64_t> counts;
    for (const auto& o : s.objects)
        if (o.flags & wire::kObjectTracked)
            ++counts[s.typeOf(o)];
    return counts;
}

TEST_P(AgentSnapshot, GivenAQuietHeapWhenASnapshotIsTakenThenTrackedObjectsPerTypeMatchTheTargetsOwnCensus)
{
    attach(10'000);
    ASSERT_FALSE(host->command("known").is_null()); // turns automatic collection off, too
    // The census's first gc.get_objects() call creates what CPython creates lazily for it: do it once.
    ASSERT_FALSE(host->command("census_tracked").is_null());
    auto snapshot = snapshotWhenIdle();
    auto census = host->command("census_tracked");
    ASSERT_FALSE(census.is_null());

    auto counts = trackedPerType(snapshot);
    std::map<std::string, std::uint64_t> expected;
    for (const auto& [name, count] : census["counts"].items())
        expected[name] = count.get<std::uint64_t>();
    // While the target waits on stdin its buffered reader holds a memoryview and its managedbuffer,
    // which it no longer holds when it counts.
    for (const char* reading : { "memoryview", "managedbuffer" })
        if (counts[reading])
            --counts[reading];
    std::erase_if(counts, [](const auto& entry) { return entry.second == 0; });
    for (const auto& [name, count] : expected)
        EXPECT_EQ(counts[name], count) << name;
    for (const auto& [name, count] : counts)
        EXPECT_TRUE(expected.count(name)) << name << " " << count;
    std::uint64_t tracked = 0;
    for (const auto& o : snapshot.objects)
        tracked += (o.flags & wire::kObjectTracked) ? 1 : 0;
    EXPECT_EQ(snapshot.end.trackedObjects, tracked);
    expectResolvable(snapshot);
    detach();
}

TEST_P(
    AgentSnapshot, GivenAMillionDeepLinkedListWhenASnapshotIsTakenThenEveryNodeIsThereWithoutRecursionAndTheWalkIsFast)
{
    attach(10'000);
    constexpr std::uint64_t kNodes = 1'000'000;
    auto linked = host->command("linked " + std::to_string(kNodes), 60s);
    ASSERT_FALSE(linked.is_null());
    auto walk = host->command("python_walk", 60s);
    ASSERT_FALSE(walk.is_null());
    auto snapshot = snapshotWhenIdle();
    ASSERT_TRUE(snapshot.complete);

    auto counts = trackedPerType(snapshot);
    EXPECT_EQ(counts["__main__.Node"], kNodes);
    // Each node: its .next (the last one's is None) and its class.
    const auto* head = snapshot.at(id(linked["head"]));
    ASSERT_NE(head, nullptr);
    std::uint64_t length = 0;
    const bool named = GetParam().form != "portable"; // it does not name instance attributes
    for (const auto* node = head; node && snapshot.typeOf(*node) == "__main__.Node"; ++length) {
        ASSERT_EQ(node->references.size(), 2u);
        if (named) {
            EXPECT_EQ(snapshot.edgeName(node->references[0].label), "next");
            EXPECT_EQ(snapshot.edgeName(node->references[1].label), "__class__");
        }
        node = snapshot.at(node->references[0].target);
    }
    EXPECT_EQ(length, kNodes);
    EXPECT_LE(snapshot.largestPayload, 2u * 1024 * 1024) << "frames are cut at about 1 MiB";
    expectResolvable(snapshot);

    const double pause = static_cast<double>(snapshot.begin.pauseNs) / 1e9;
    const double python = walk["seconds"].get<double>();
    std::printf("[ snapshot ] %llu objects (%llu tracked), pause %.1f ms; pure-Python walk of %llu objects %.1f ms: "
                "ratio %.3f\n",
        static_cast<unsigned long long>(snapshot.end.objectsSent),
        static_cast<unsigned long long>(snapshot.end.trackedObjects), pause * 1e3,
        static_cast<unsigned long long>(walk["objects"].get<std::uint64_t>()), python * 1e3, pause / python);
    EXPECT_GT(snapshot.begin.pauseNs, 0);
    // A child walks: the pause is the clone (about 0.01 of the pure-Python walk). Walked in the
    // target, the goal is 0.35 (about 0.2 measured on a quiet machine), but the walk writes its
    // frames into fresh memory, and on these VMs a fresh 4 KiB page has cost from 6 to 15 us
    // depending on the day: 0.5 to 2.3 times the walk was seen on 2026-12-03. So only a clear
    // regression fails here (the figures are in scripts/bench.sh). The portable form walking in the
    // target calls C __sizeof__ methods and asks the interpreter whether each object is tracked:
    // 0.5 to 0.9 of the walk here, more on a loaded machine, so it is not held to this.
    const bool inProcess = snapshot.begin.method == wire::SnapshotMethod::InProcess;
    if (!inProcess) {
        EXPECT_LT(pause, python) << "the clone paused the target longer than a pure-Python walk";
    } else if (GetParam().form != "portable") {
        EXPECT_LT(pause, 4 * python) << "the snapshot paused the target four times as long as a pure-Python walk";
    }
    detach();
}

// The references of `o` as (target, edge name) pairs, in order.
std::vector<std::pair<std::uint64_t, std::string>> edgesOf(const ReceivedSnapshot& s, const wire::SnapshotObject& o)
{
    std::vector<std::pair<std::uint64_t, std::string>> edges;
    for (const auto& r : o.references)
        edges.emplace_back(r.target, s.edgeName(r.label));
    return edges;
}

using Edges = std::vector<std::pair<std::uint64_t, std::string>>;

bool validUtf8(const std::string& text)
{
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > text.size())
            return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

TEST_P(AgentSnapshot, GivenKnownStructuresWhenASnapshotIsTakenThenReferencesLabelsRefcountsAndFlagsAreExact)
{
    if (GetParam().form == "portable")
        GTEST_SKIP() << "the portable form names few references (no frames, instance attributes or function fields "
                        "of its own); its references, sizes and refcounts are held against CPython by the varied-heap "
                        "truth test";
    attach(10'000);
    auto known = host->command("known");
    ASSERT_FALSE(known.is_null());
    auto refcounts = host->command("refcounts");
    ASSERT_FALSE(refcounts.is_null());
    auto s = snapshotWhenIdle();
    ASSERT_TRUE(s.complete);

    auto object = [&](const nlohmann::json& address) {
        const auto* o = s.at(id(address));
        EXPECT_NE(o, nullptr) << "object " << address << " is missing";
        static const wire::SnapshotObject none;
        return o ? *o : none;
    };
    const auto nodeType = id(known["node_type"]);
    for (std::size_t i = 0; i < 5; ++i) {
        auto node = object(known["ring"][i]);
        EXPECT_EQ(s.typeOf(node), "__main__.Node");
        EXPECT_TRUE(node.flags & wire::kObjectTracked);
        EXPECT_FALSE(node.flags & wire::kObjectHasFinalizer);
        EXPECT_EQ(edgesOf(s, node), (Edges { { id(known["ring"][(i + 1) % 5]), "next" }, { nodeType, "__class__" } }))
            << "ring node " << i;
    }
    EXPECT_EQ(edgesOf(s, object(known["selfref"])), (Edges { { id(known["selfref"]), "[0]" } }));
    EXPECT_EQ(edgesOf(s, object(known["d1"])), (Edges { { id(known["d2"]), "partner" } }));
    EXPECT_EQ(edgesOf(s, object(known["d2"])), (Edges { { id(known["d1"]), "back" } }));
    EXPECT_EQ(edgesOf(s, object(known["three"])),
        (Edges { { id(known["ring"][0]), "[0]" }, { id(known["d1"]), "[1]" }, { id(known["selfref"]), "[2]" } }));

    EXPECT_EQ(object(known["ring"][0]).refcount, refcounts["ring0"].get<std::int64_t>());
    EXPECT_EQ(object(known["selfref"]).refcount, refcounts["selfref"].get<std::int64_t>());
    EXPECT_EQ(object(known["d1"]).refcount, refcounts["d1"].get<std::int64_t>());
    EXPECT_EQ(object(known["three"]).refcount, refcounts["three"].get<std::int64_t>());

    // Three distinct str objects in a list: three leaves, sized as sys.getsizeof() says.
    auto strs = object(known["strs_list"]);
    ASSERT_EQ(strs.references.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(strs.references[i].target, id(known["strs"][i]));
        auto leaf = object(known["strs"][i]);
        EXPECT_EQ(s.typeOf(leaf), "str");
        EXPECT_FALSE(leaf.flags & wire::kObjectTracked);
        EXPECT_TRUE(leaf.references.empty());
        EXPECT_EQ(leaf.size, known["str_sizes"][i].get<std::uint64_t>());
        EXPECT_EQ(s.text(leaf.label), known["str_texts"][i].get<std::string>());
    }

    EXPECT_TRUE(object(known["finalizable"]).flags & wire::kObjectHasFinalizer) << "a class with __del__";
    EXPECT_FALSE(object(known["gen"]).flags & wire::kObjectHasFinalizer) << "a generator's tp_finalize is not __del__";
    EXPECT_TRUE(object(known["modules"]).flags & wire::kObjectExplicitRoot) << "sys.modules";
    EXPECT_TRUE(object(known["builtins"]).flags & wire::kObjectExplicitRoot) << "the builtins dict";
    EXPECT_FALSE(object(known["d1"]).flags & wire::kObjectExplicitRoot);

    EXPECT_EQ(s.text(object(known["module"]).label), "__main__");
    EXPECT_EQ(s.text(object(known["function"]).label), "build_known");
    EXPECT_EQ(s.text(object(known["node_type"]).label), "Node");
    EXPECT_EQ(s.text(object(known["gen"]).label), "build_known.<locals>.generator");
    EXPECT_EQ(s.text(object(known["number"]).label), "12345");
    EXPECT_EQ(s.text(object(known["fraction"]).label), "0.25");
    std::vector<std::string> functionEdges;
    for (const auto& edge : edgesOf(s, object(known["function"])))
        functionEdges.push_back(edge.second);
    EXPECT_EQ(functionEdges,
        (std::vector<std::string> {
            "__code__", "__globals__", "__builtins__", "__module__", "__doc__", "__name__", "__qualname__" }));
    expectResolvable(s);

    // Labels are cut to maxLabel bytes at a character boundary.
    auto cut = snapshotWhenIdle(0, 9);
    ASSERT_TRUE(cut.complete);
    const auto* accented = cut.at(id(known["accented"]));
    ASSERT_NE(accented, nullptr);
    EXPECT_EQ(cut.text(accented->label), "\u00e9t\u00e9 \u2026"); // 2 + 1 + 2 + 1 bytes, then the ellipsis
    for (const auto& o : cut.objects) {
        EXPECT_LE(cut.text(o.label).size(), 9u) << cut.text(o.label);
        EXPECT_TRUE(validUtf8(cut.text(o.label))) << cut.text(o.label);
    }
    detach();
}

// The truth test for every version's layout: each object the target reaches from a varied heap
// (instances with inline values, materialised dicts and __slots__, split and non-str-keyed dicts,
// suspended generators, coroutines, closures, bound methods, finished frames, str in every
// representation, ints of every size) is in the snapshot with the type, size, references and
// immortality CPython itself gives (gc.get_referents, sys.getsizeof).
TEST_P(AgentSnapshot, GivenAVariedHeapWhenASnapshotIsTakenThenEachObjectMatchesWhatCPythonSaysOfIt)
{
    attach(10'000);
    ASSERT_FALSE(host->command("varied 40", 60s).is_null());
    auto truth = host->command("truth varied", 60s);
    ASSERT_FALSE(truth.is_null());
    auto snapshot = snapshotWhenIdle();
    ASSERT_TRUE(snapshot.complete);

    std::size_t compared = 0, followed = 0, missing = 0, immortal = 0;
    std::map<std::string, std::size_t> wrongSize, wrongReferences, wrongType, wrongImmortal;
    for (const auto& [key, fact] : truth["objects"].items()) {
        const auto* o = snapshot.at(std::stoull(key));
        if (!o) {
            // Leaves the walk never reaches: objects no traverse function visits.
            ++missing;
            continue;
        }
        ++compared;
        const std::string type = fact[0].get<std::string>();
        if (snapshot.typeOf(*o) != type)
            ++wrongType[type + " as " + snapshot.typeOf(*o)];
        if (o->size != fact[1].get<std::uint64_t>())
            ++wrongSize[type + " " + std::to_string(o->size) + " != " + std::to_string(fact[1].get<std::uint64_t>())];
        const bool isImmortal = o->flags & wire::kObjectImmortal;
        immortal += isImmortal;
        if (isImmortal != fact[3].get<bool>())
            ++wrongImmortal[type];
        // References: only where the snapshot traversed the object (tracked, or an untracked
        // container it met), and as a multiset (lists and tuples come in element order).
        if (o->references.empty() && fact[2].empty())
            continue;
        std::vector<std::uint64_t> expected = fact[2].get<std::vector<std::uint64_t>>();
        std::vector<std::uint64_t> actual;
        for (const auto& r : o->references)
            actual.push_back(r.target);
        std::sort(expected.begin(), expected.end());
        std::sort(actual.begin(), actual.end());
        ++followed;
        if (actual != expected)
            ++wrongReferences[type];
    }
    std::printf("[ truth ] %zu objects compared (%zu with references, %zu immortal), %zu not in the snapshot\n",
        compared, followed, immortal, missing);
    EXPECT_GT(compared, 1000u);
    EXPECT_LE(missing, compared / 100) << "objects CPython reaches that the snapshot lacks";
    auto show = [](const std::map<std::string, std::size_t>& m) {
        std::string text;
        for (const auto& [what, n] : m)
            text += "\n  " + what + ": " + std::to_string(n);
        return text;
    };
    EXPECT_TRUE(wrongType.empty()) << show(wrongType);
    EXPECT_TRUE(wrongSize.empty()) << show(wrongSize);
    EXPECT_TRUE(wrongReferences.empty()) << show(wrongReferences);
    EXPECT_TRUE(wrongImmortal.empty()) << show(wrongImmortal);
    expectResolvable(snapshot);
    detach();
}

// 3.14 borrows stack references (LOAD_FAST_BORROW) that ob_refcnt does not count; a suspended
// generator keeps them. The snapshot shows both references and a refcount that counts both, so
// "refcount minus references in the snapshot" is 0 for an object held only by that generator, as the
// collector itself computes it; earlier versions count every stack reference anyway.
TEST_P(AgentSnapshot, GivenASuspendedGeneratorWithABorrowedStackReferenceThenItsTargetIsHeldFromInsideOnly)
{
    if (GetParam().form == "portable")
        GTEST_SKIP() << "the portable form does not read frames, so it cannot tell borrowed stack references "
                        "(3.14+) from counted ones";
    attach(10'000);
    auto built = host->command("borrowed");
    ASSERT_FALSE(built.is_null());
    auto snapshot = snapshotWhenIdle();
    const auto* generator = snapshot.at(id(built["generator"]));
    const auto* held = snapshot.at(id(built["held"]));
    ASSERT_NE(generator, nullptr);
    ASSERT_NE(held, nullptr);
    std::int64_t fromGenerator = 0;
    for (const auto& r : generator->references)
        fromGenerator += r.target == id(built["held"]);
    EXPECT_EQ(fromGenerator, 2) << "the local and the stack slot";
    EXPECT_EQ(held->refcount, fromGenerator) << "ob_refcnt plus the borrowed reference";
    const bool borrows = baseline["hexversion"].get<std::uint32_t>() >= 0x030e0000;
    EXPECT_EQ((held->flags & wire::kObjectBorrowedReferences) != 0, borrows);
    detach();
}

// A child sends its frames while it walks, so its Begin can only say what it expects: from the
// collector's count for the first snapshot (the portable form has none to read: 0, no idea), from the
// previous snapshot after that. End has the counts.
TEST_P(AgentSnapshot, GivenAChildSnapshotThenBeginEstimatesWhatFollowsAndTheNextOneExpectsWhatThisOneSent)
{
    attach(10'000);
    auto first = snapshotWhenIdle();
    ASSERT_TRUE(first.complete);
    if (first.begin.method != wire::SnapshotMethod::Child)
        GTEST_SKIP() << "walked in the target: its Begin is exact, which every snapshot of this run checks";
    // The collector's count lags far behind in a young process (before 3.14 it counts the objects
    // that survived the last full collection, and none may have run yet): it is a guess, but never
    // one that would make the profiler reserve far more than the snapshot needs.
    if (GetParam().form != "portable") {
        EXPECT_GT(first.begin.expectedObjects, 0u);
        EXPECT_LE(first.begin.expectedObjects, first.end.objectsSent * 4);
        EXPECT_LE(first.begin.expectedReferences, first.end.referencesSent * 4);
    }
    auto second = snapshotWhenIdle();
    ASSERT_TRUE(second.complete);
    EXPECT_EQ(second.begin.expectedObjects, first.end.objectsSent);
    EXPECT_EQ(second.begin.expectedReferences, first.end.referencesSent);
    detach();
}

TEST_P(AgentSnapshot, GivenNoStringsWhenASecretIsHeldThenNoByteTheAgentSendsContainsIt)
{
    attach(10'000);
    ASSERT_FALSE(host->command("secret").is_null());
    const std::string secret = "hunter2-SECRET";

    auto plain = snapshotWhenIdle();
    ASSERT_TRUE(plain.complete);
    bool labelled = false;
    for (const auto& o : plain.objects)
        labelled = labelled || (plain.typeOf(o) == "str" && plain.text(o.label) == secret);
    EXPECT_TRUE(labelled) << "without the flag the str's label is its text";

    auto hidden = snapshotWhenIdle(wire::kSnapshotNoStrings);
    ASSERT_TRUE(hidden.complete);
    EXPECT_EQ(hidden.bytesSent.find("hunter2"), std::string::npos);
    EXPECT_EQ(hidden.bytesSent.find("SECRET"), std::string::npos);
    // Identifier keys are names, not data: the holder's edges keep them.
    std::size_t named = 0;
    for (const auto& o : hidden.objects)
        for (const auto& r : o.references)
            named += !(r.label & wire::kEdgeIndexBit)
                && (hidden.text(r.label) == "password" || hidden.text(r.label) == "other");
    EXPECT_GE(named, 2u);
    EXPECT_EQ(hidden.end.objectsSent, plain.end.objectsSent);
    detach();
}

TEST_P(AgentSnapshot, GivenASnapshotThenNoCollectionRanAndNoTrackedObjectWasAllocated)
{
    attach(10'000);
    ASSERT_FALSE(host->command("collect 0 1").is_null()); // far from the next automatic collection
    auto first = host->command("gc_state");
    auto second = host->command("gc_state");
    ASSERT_TRUE(host->waitUntilIdle());
    auto s = snapshotWhenIdle();
    ASSERT_TRUE(s.complete);
    auto third = host->command("gc_state");
    ASSERT_FALSE(third.is_null());
    EXPECT_EQ(third["stats"], second["stats"]) << "a collection ran during the snapshot";
    const auto commandAllocations = second["count"][0].get<int>() - first["count"][0].get<int>();
    EXPECT_EQ(third["count"][0].get<int>() - second["count"][0].get<int>(), commandAllocations)
        << "the snapshot allocated tracked objects in the target";
    EXPECT_GT(s.begin.pauseNs, 0);
    EXPECT_LT(s.begin.pauseNs, 10'000'000'000);
    EXPECT_GT(s.begin.timeNs, 0);
    // Sampling goes on afterwards.
    auto after = requestSnapshot(*endpoint, 99);
    EXPECT_TRUE(after.complete) << after.error;
    detach();
}

// gc.freeze()'s objects are outside collections and outside the snapshot's lists: one that a listed
// object refers to is sent as an untracked leaf, not traversed. (The portable form finds the
// permanent generation by its place among the collector's lists: a wrong place shows here.)
TEST_P(AgentSnapshot, GivenFrozenObjectsWhenASnapshotIsTakenThenTheyAreLeavesAndNotTraversed)
{
    attach(10'000);
    constexpr int kNodes = 500;
    auto frozen = host->command("freeze " + std::to_string(kNodes));
    ASSERT_FALSE(frozen.is_null());
    ASSERT_GT(frozen["frozen"].get<int>(), kNodes);
    auto snapshot = snapshotWhenIdle();
    ASSERT_TRUE(snapshot.complete);
    const auto* fresh = snapshot.at(id(frozen["fresh_holder"]));
    ASSERT_NE(fresh, nullptr);
    EXPECT_TRUE(fresh->flags & wire::kObjectTracked);
    EXPECT_EQ(fresh->references.size(), static_cast<std::size_t>(kNodes + 1));
    const auto* old = snapshot.at(id(frozen["frozen_holder"]));
    ASSERT_NE(old, nullptr) << "a frozen object a listed one refers to is sent";
    EXPECT_FALSE(old->flags & wire::kObjectTracked);
    EXPECT_TRUE(old->references.empty()) << "a frozen object was traversed";
    EXPECT_EQ(trackedPerType(snapshot)["__main__.Node"], static_cast<std::uint64_t>(kNodes))
        << "frozen objects were listed as tracked";
    expectResolvable(snapshot);
    detach();
}

// The portable form reads the collector's lists where it finds them, and says so when it had to
// list the objects with gc.get_objects() instead (GCSCOPE_AGENT_ENUMERATE=1 in the target's
// environment makes it: the agent_snapshots_enumerated run). The exact forms always read the lists.
TEST_P(AgentSnapshot, GivenAnAgentFormThenItReadsTheCollectorsListsUnlessMadeToEnumerate)
{
    attach(10'000);
    auto s = snapshotWhenIdle();
    ASSERT_TRUE(s.complete) << s.error;
    const char* enumerate = std::getenv("GCSCOPE_AGENT_ENUMERATE");
    const bool expected = GetParam().form == "portable" && enumerate && *enumerate == '1';
    EXPECT_EQ(s.begin.methodNote.find("gc.get_objects()") != std::string::npos, expected) << s.begin.methodNote;
    detach();
}

TEST_P(AgentSnapshot, GivenAnotherThreadAllocatingWhenSnapshotsAreTakenThenEachIsComplete)
{
    attach(20);
    ASSERT_FALSE(host->command("allocator_start").is_null());
    for (std::uint32_t i = 1; i <= 3; ++i) {
        auto s = requestSnapshot(*endpoint, i);
        ASSERT_TRUE(s.complete) << s.error;
        expectResolvable(s);
        EXPECT_GT(trackedPerType(s)["__main__.Finalizable"], 0u);
    }
    ASSERT_FALSE(host->command("allocator_stop").is_null());
    EXPECT_TRUE(endpoint->readType(MessageType::Sample, 1s)) << "sampling stopped";
    detach();
    expectBaselineRestored();
}

TEST_P(AgentSnapshot, GivenAThreadWhoseFrameExistsThenThatFrameIsAnExplicitRootLabelledWithItsLine)
{
    if (GetParam().form == "portable")
        GTEST_SKIP() << "the portable form does not read threads' frames (locals show as references nobody explains)";
    attach(10'000);
    auto parked = host->command("park_thread");
    ASSERT_FALSE(parked.is_null());
    auto s = snapshotWhenIdle();
    ASSERT_TRUE(s.complete);
    const auto* frame = s.at(id(parked["frame"]));
    ASSERT_NE(frame, nullptr) << "the running frame was not sent";
    EXPECT_EQ(s.typeOf(*frame), "frame");
    EXPECT_TRUE(frame->flags & wire::kObjectExplicitRoot);
    EXPECT_FALSE(frame->flags & wire::kObjectTracked) << "3.11 does not track a running frame";
    EXPECT_EQ(s.text(frame->label), "park_thread.<locals>.parked:" + std::to_string(parked["line"].get<int>()));
    expectResolvable(s);
    detach();
}

TEST_P(AgentSnapshot, GivenACollectionRunningFinalizersWhenASnapshotIsAskedThenItWaitsForTheCollectionToEnd)
{
    attach(10'000);
    ASSERT_FALSE(host->command("collect_slowly").is_null()); // a finalizer sleeps 0.5 s inside it
    auto asked = std::chrono::steady_clock::now();
    auto s = requestSnapshot(*endpoint, 1);
    ASSERT_TRUE(s.complete) << s.error;
    EXPECT_GT(std::chrono::steady_clock::now() - asked, 200ms) << "the walk did not wait for the collection";
    EXPECT_LT(s.begin.pauseNs, 400'000'000) << "the wait is not part of the pause";
    expectResolvable(s);
    ASSERT_FALSE(host->command("join_collector").is_null());
    detach();
}

TEST_P(AgentSnapshot, GivenAMalformedSnapshotRequestThenTheAgentClosesAndCleansUp)
{
    attach();
    ASSERT_TRUE(endpoint->send(MessageType::Snapshot, "xy"));
    EXPECT_TRUE(endpoint->waitForClose());
    expectBaselineRestored();
}

INSTANTIATE_TEST_SUITE_P(Python311, AgentSnapshot, ::testing::ValuesIn(exactInterpreters()), interpreterName);
INSTANTIATE_TEST_SUITE_P(Portable, AgentSnapshot, ::testing::ValuesIn(portableInterpreters()), interpreterName);

} // namespace
} // namespace gcscope::test
