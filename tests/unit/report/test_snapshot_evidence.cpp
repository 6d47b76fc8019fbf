// Leak evidence from snapshots compared object by object (SnapshotEvidence.h), on hand-made series
// of heaps in which the same object keeps its address from one snapshot to the next, as in CPython;
// and whole reports from files holding snapshots only.
#include "HeapSketch.h"

#include "report/Attribution.h"
#include "report/HeapContext.h"
#include "report/MemoryGrowth.h"
#include "report/ReportText.h"
#include "report/ReportWriter.h"
#include "report/SnapshotEvidence.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Recorder.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

using namespace gcscope;
using namespace gcscope::report;
using report::test::HeapSketch;

namespace {

constexpr std::int64_t kStart = 1'700'000'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

// Object i of a population keeps this address in every snapshot that holds it.
std::uint64_t addressOf(int population, int i)
{
    return 0x1'0000'0000ull * static_cast<std::uint64_t>(population + 1) + static_cast<std::uint64_t>(i) * 0x40;
}

// A program's heap at one snapshot: the same module, classes and containers every time (created
// first, so they keep their addresses), then what `fill` adds.
using Fill = std::function<void(HeapSketch&, HeapSketch::Id globals, int snapshot)>;

analysis::HeapGraph heapAt(const Fill& fill, int snapshot)
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    fill(h, globals, snapshot);
    return h.build();
}

struct Series {
    std::vector<analysis::HeapGraph> graphs;
    std::vector<std::int64_t> times;
};

Series seriesOf(const Fill& fill, int snapshots)
{
    Series s;
    for (int k = 0; k < snapshots; ++k) {
        s.graphs.push_back(heapAt(fill, k));
        s.times.push_back(kStart + 4 * k * kSecond);
    }
    return s;
}

// The same suspects in the same order, field by field.
void expectSameSuspects(const std::vector<Suspect>& a, const std::vector<Suspect>& b)
{
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].type, b[k].type);
        EXPECT_EQ(a[k].owner, b[k].owner);
        EXPECT_EQ(a[k].countDelta, b[k].countDelta);
        EXPECT_EQ(a[k].why, b[k].why);
        ASSERT_TRUE(a[k].snapshotEvidence && b[k].snapshotEvidence);
        EXPECT_EQ(a[k].snapshotEvidence->ownerReferences, b[k].snapshotEvidence->ownerReferences);
        EXPECT_EQ(a[k].snapshotEvidence->newPerInterval, b[k].snapshotEvidence->newPerInterval);
    }
}

std::vector<Suspect> suspectsOf(const Series& s)
{
    SnapshotHistory history;
    for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i)
        history.addEarlier(s.graphs[i], s.times[i]);
    HeapContext last(s.graphs.back());
    return suspectsFromSnapshots(history, last, s.times.back());
}

// A registry that keeps every request: 300 more __main__.Request in a list at every snapshot, each
// with an untracked str payload.
void registry(HeapSketch& h, HeapSketch::Id globals, int k)
{
    const auto cls = h.klass(globals, "Registry");
    const auto entries = h.object("list", {}, 8 * 300 * (k + 1) + 56);
    h.ref(h.namespaceOf(cls), entries, "entries");
    for (int i = 0; i < 300 * (k + 1); ++i) {
        const auto request = h.object("__main__.Request", {}, 56);
        h.at(request, addressOf(0, i));
        const auto payload = h.object("str", "payload", 80);
        h.at(payload, addressOf(1, i));
        h.untracked(payload);
        h.item(entries, request, static_cast<std::uint32_t>(i));
        h.ref(request, payload, "payload");
    }
}

// A bounded cache: 300 entries at every snapshot, all replaced since the one before.
void boundedCache(HeapSketch& h, HeapSketch::Id globals, int k)
{
    const auto cache = h.object("dict", {}, 10'000);
    h.ref(globals, cache, "cache");
    for (int i = 300 * k; i < 300 * (k + 1); ++i) {
        const auto page = h.object("__main__.Page", {}, 56);
        h.at(page, addressOf(0, i));
        h.ref(cache, page, "page" + std::to_string(i));
    }
}

// A bounded cache that fills during the first interval (150 pages, then 300) and then only churns:
// the pages kept from the first interval are new and still there, but the cache stopped growing.
void fillingBoundedCache(HeapSketch& h, HeapSketch::Id globals, int k)
{
    const auto cache = h.object("dict", {}, 10'000);
    h.ref(globals, cache, "cache");
    const int first = k == 0 ? 0 : 150 + 250 * (k - 1);
    const int count = k == 0 ? 150 : 300;
    for (int i = first; i < first + count; ++i) {
        const auto page = h.object("__main__.Page", {}, 56);
        h.at(page, addressOf(0, i));
        h.ref(cache, page, "page" + std::to_string(i));
    }
}

// A cache that filled before the first snapshot and holds the same 300 pages ever since.
void filledCache(HeapSketch& h, HeapSketch::Id globals, int)
{
    const auto cache = h.object("dict", {}, 10'000);
    h.ref(globals, cache, "cache");
    for (int i = 0; i < 300; ++i) {
        const auto page = h.object("__main__.Page", {}, 56);
        h.at(page, addressOf(0, i));
        h.ref(cache, page, "page" + std::to_string(i));
    }
}

// A leak inside a churning population: 2,000 dicts in flight at every snapshot (new each time,
// held by a fresh list), and one dict in twenty kept in a long-lived list: 100 more per snapshot.
void churnHidesLeak(HeapSketch& h, HeapSketch::Id globals, int k)
{
    const auto kept = h.object("list", {}, 800 * (k + 1) + 56);
    h.ref(globals, kept, "kept");
    for (int i = 0; i < 120 * (k + 1); ++i) {
        const auto d = h.object("dict", {}, 232);
        h.at(d, addressOf(0, i));
        h.item(kept, d, static_cast<std::uint32_t>(i));
    }
    const auto inflight = h.object("list", {}, 16'056);
    h.at(inflight, addressOf(2, k));
    h.ref(globals, inflight, "inflight");
    for (int i = 0; i < 2000; ++i) {
        const auto d = h.object("dict", {}, 232);
        h.at(d, addressOf(1, 2000 * k + i));
        h.item(inflight, d, static_cast<std::uint32_t>(i));
    }
}

// Closures capturing requests, appended to a list of callbacks: list -> function -> closure tuple
// -> cell -> __main__.Request.
void closures(HeapSketch& h, HeapSketch::Id globals, int k)
{
    const auto callbacks = h.object("list", {}, 8 * 200 * (k + 1) + 56);
    h.ref(globals, callbacks, "callbacks");
    for (int i = 0; i < 200 * (k + 1); ++i) {
        const auto function = h.object("function", "handle.<locals>.on_done", 152);
        const auto closure = h.object("tuple", {}, 48);
        const auto cell = h.object("cell", {}, 40);
        const auto request = h.object("__main__.Request", {}, 56);
        h.at(function, addressOf(0, i));
        h.at(closure, addressOf(1, i));
        h.at(cell, addressOf(2, i));
        h.at(request, addressOf(3, i));
        h.item(callbacks, function, static_cast<std::uint32_t>(i));
        h.ref(function, closure, "__closure__");
        h.item(closure, cell, 0);
        h.ref(cell, request, "cell_contents");
    }
}

} // namespace

TEST(SnapshotEvidence, GivenThreeSnapshotsOfAGrowingRegistryWhenComparedThenTheRequestsAndTheirListAreNamed)
{
    const auto suspects = suspectsOf(seriesOf(registry, 3));
    ASSERT_EQ(suspects.size(), 1u);
    const auto& s = suspects[0];
    EXPECT_EQ(s.type, "__main__.Request");
    EXPECT_EQ(s.evidence, "snapshots");
    EXPECT_EQ(s.owner, "__main__.Registry.entries (list)");
    EXPECT_EQ(s.countDelta, 600); // new since the first snapshot, still held
    EXPECT_EQ(s.retainedSize, 600u * (56 + 80)); // with their untracked payloads
    ASSERT_TRUE(s.snapshotEvidence);
    const auto& e = *s.snapshotEvidence;
    EXPECT_EQ(e.snapshots, 3u);
    EXPECT_EQ(e.confidence, "strong");
    EXPECT_EQ(e.newPerInterval, (std::vector<std::uint64_t> { 300, 300 }));
    EXPECT_EQ(e.kept, 300u); // the first interval's outlived the second
    EXPECT_EQ(e.ownerReferences, (std::vector<std::uint64_t> { 300, 600, 900 }));
    EXPECT_EQ(e.ownerGrowth, 600);
    ASSERT_EQ(s.series.size(), 3u);
    EXPECT_EQ(s.series[2], (std::pair<std::int64_t, std::uint64_t>(kStart + 8 * kSecond, 900)));
    EXPECT_NE(s.why.find("were added between the first and the last of 3 snapshots (8 s apart), some in every "
                         "interval, and are still alive, 300 of them after more than 4 s"),
        std::string::npos)
        << s.why;
    EXPECT_NE(s.why.find("__main__.Registry.entries (list) holds them and grew from 300 to 900 references"),
        std::string::npos)
        << s.why;
    ASSERT_FALSE(s.retentionPath.empty());
    EXPECT_EQ(s.retentionPath.back().type, "__main__.Request");
    EXPECT_EQ(s.retentionPath.back().address, addressOf(0, 300)); // the oldest new one: it stayed longest
}

TEST(SnapshotEvidence, GivenBirthsAndAnIndexWorkedOutBesideTheAnalysesWhenComparedThenTheSuspectsAreTheSame)
{
    // buildReport works out when each object of the last snapshot appeared, and its index, while
    // the analyses are computed: the same suspects as when suspectsFromSnapshots works them out.
    const Series s = seriesOf(registry, 4);
    SnapshotHistory history;
    for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i)
        history.addEarlier(s.graphs[i], s.times[i]);
    const auto& g = s.graphs.back();
    const auto births = history.births(g);
    ASSERT_EQ(births.size(), g.objectCount());
    // 300 requests more at each snapshot: born in snapshots 0 (or before), 1, 2 and 3.
    std::map<std::uint8_t, std::size_t> requestsBorn;
    for (analysis::ObjectId o = 0; o < g.objectCount(); ++o)
        if (g.typeName(o) == "__main__.Request")
            ++requestsBorn[births[o]];
    EXPECT_EQ(requestsBorn, (std::map<std::uint8_t, std::size_t> { { 0, 300 }, { 1, 300 }, { 2, 300 }, { 3, 300 } }));

    const HeapContext inline_(g);
    const auto roots = analysis::findRoots(g);
    const auto referrers = analysis::buildReferrers(g);
    const auto dominators = analysis::computeDominators(g, roots);
    const analysis::RetentionPathFinder paths(g, roots, referrers);
    const HeapContext beside(g, roots, referrers, dominators, paths, std::make_unique<const GraphIndex>(g));
    const auto expected = suspectsFromSnapshots(history, inline_, s.times.back());
    const auto wrongSize = std::vector<std::uint8_t>(3, 0); // not of this graph: worked out anew
    for (const auto* given : { &births, &wrongSize }) {
        const auto found = suspectsFromSnapshots(history, beside, s.times.back(), {}, given);
        ASSERT_EQ(found.size(), expected.size());
        ASSERT_EQ(found.size(), 1u);
        EXPECT_EQ(found[0].type, expected[0].type);
        EXPECT_EQ(found[0].owner, expected[0].owner);
        EXPECT_EQ(found[0].countDelta, expected[0].countDelta);
        EXPECT_EQ(found[0].retainedSize, expected[0].retainedSize);
        EXPECT_EQ(found[0].why, expected[0].why);
        EXPECT_EQ(found[0].snapshotEvidence->newPerInterval, expected[0].snapshotEvidence->newPerInterval);
        EXPECT_EQ(found[0].snapshotEvidence->ownerReferences, expected[0].snapshotEvidence->ownerReferences);
    }
    // An index of another graph is not used: the context makes its own.
    const HeapContext other(g, roots, referrers, dominators, paths, std::make_unique<const GraphIndex>(s.graphs[0]));
    EXPECT_EQ(other.instancesOf("__main__.Request").size(), 1200u);
    EXPECT_EQ(beside.instancesOf("__main__.Request").size(), 1200u);
}

TEST(SnapshotEvidence, GivenTheEarlierGraphsSharedWhenComparedThenEveryLookupAndSuspectIsAsWithCopies)
{
    bool idsOutOfAddressOrder = false;
    for (const Fill& fill : { Fill(registry), Fill(boundedCache), Fill(fillingBoundedCache) }) {
        Series s = seriesOf(fill, 3);
        SnapshotHistory copied, shared;
        for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i) {
            copied.addEarlier(s.graphs[i], s.times[i]);
            shared.addEarlier(std::make_shared<const analysis::HeapGraph>(s.graphs[i]), s.times[i]);
        }
        // Every object of every snapshot, looked up in each earlier one, by binary search and with
        // a cursor in address order: the same entry or none. (The registry's ids are not in address
        // order, so that reading a shared graph by position instead of by byAddress would show.)
        for (const auto& g : s.graphs)
            for (std::size_t k = 0; k < g.byAddress().size(); ++k)
                idsOutOfAddressOrder = idsOutOfAddressOrder || g.byAddress()[k] != k;
        for (const auto& g : s.graphs) {
            for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i) {
                std::size_t copiedCursor = 0, sharedCursor = 0;
                for (analysis::ObjectId o : g.byAddress()) {
                    const auto type = copied.typeId(g.typeName(o));
                    ASSERT_EQ(type, shared.typeId(g.typeName(o)));
                    const auto a = copied.find(i, g.address[o], type);
                    const auto b = shared.find(i, g.address[o], type);
                    const auto c = copied.findNext(i, copiedCursor, g.address[o], type);
                    const auto d = shared.findNext(i, sharedCursor, g.address[o], type);
                    ASSERT_EQ(a.has_value(), b.has_value());
                    ASSERT_EQ(c.has_value(), d.has_value());
                    ASSERT_EQ(a.has_value(), c.has_value());
                    if (a) {
                        EXPECT_EQ(a->address, b->address);
                        EXPECT_EQ(a->type, b->type);
                        EXPECT_EQ(a->references, b->references);
                        EXPECT_EQ(b->references, d->references);
                    }
                }
            }
        }
        HeapContext last(s.graphs.back());
        expectSameSuspects(
            suspectsFromSnapshots(copied, last, s.times.back()), suspectsFromSnapshots(shared, last, s.times.back()));
    }
    EXPECT_TRUE(idsOutOfAddressOrder);
    // The registry's leak is found through the shared graphs too.
    Series s = seriesOf(registry, 3);
    SnapshotHistory shared;
    for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i)
        shared.addEarlier(std::make_shared<const analysis::HeapGraph>(std::move(s.graphs[i])), s.times[i]);
    HeapContext last(s.graphs.back());
    const auto suspects = suspectsFromSnapshots(shared, last, s.times.back());
    ASSERT_EQ(suspects.size(), 1u);
    EXPECT_EQ(suspects[0].snapshotEvidence->ownerReferences, (std::vector<std::uint64_t> { 300, 600, 900 }));
}

// Addresses that do not pack with their type in one word (snapshot::IdentityKey: at or above 2^48
// here) are kept whole: every suspect, and every earlier collection's growth, is as with addresses
// that pack.
TEST(SnapshotEvidence, GivenAddressesThatDoNotPackWhenComparedThenTheSuspectsAndGrowthAreAsWithPackedOnes)
{
    for (const Fill& fill : { Fill(registry), Fill(fillingBoundedCache), Fill(closures) }) {
        const Series s = seriesOf(fill, 3);
        Series far = s;
        for (auto& g : far.graphs)
            for (auto& address : g.address)
                address += std::uint64_t { 1 } << 48;
        SnapshotHistory packed, wide;
        for (std::size_t i = 0; i + 1 < s.graphs.size(); ++i) {
            packed.addEarlier(s.graphs[i], s.times[i]);
            wide.addEarlier(far.graphs[i], far.times[i]);
        }
        const HeapContext last(s.graphs.back()), farLast(far.graphs.back());
        expectSameSuspects(suspectsFromSnapshots(packed, last, s.times.back()),
            suspectsFromSnapshots(wide, farLast, far.times.back()));
        const EarlierSizes packedSizes(s.graphs[0]), wideSizes(far.graphs[0]);
        const auto& g = s.graphs.back();
        bool grewLess = false; // some collection was there before: its growth is less than its size
        for (analysis::ObjectId o = 0; o < g.objectCount(); ++o) {
            const auto growth = packedSizes.growth(g, o);
            EXPECT_EQ(growth, wideSizes.growth(far.graphs.back(), o));
            grewLess = grewLess || growth < static_cast<std::int64_t>(g.size[o]);
        }
        EXPECT_TRUE(grewLess);
    }
    EXPECT_FALSE(suspectsOf(seriesOf(registry, 3)).empty());
}

TEST(SnapshotEvidence, GivenTwoSnapshotsWhenComparedThenTheSuspectIsNamedAsWeakerEvidence)
{
    const auto suspects = suspectsOf(seriesOf(registry, 2));
    ASSERT_EQ(suspects.size(), 1u);
    EXPECT_EQ(suspects[0].type, "__main__.Request");
    EXPECT_EQ(suspects[0].snapshotEvidence->confidence, "weak");
    EXPECT_EQ(suspects[0].snapshotEvidence->kept, 0u);
    EXPECT_NE(suspects[0].why.find("Two snapshots are weaker evidence than three: take one more"), std::string::npos)
        << suspects[0].why;
}

TEST(SnapshotEvidence, GivenABoundedCacheOrOneThatFilledBeforeWhenComparedThenNothingIsSuspect)
{
    // The bounded cache's entries are all new at every snapshot, but it holds no more than before.
    EXPECT_TRUE(suspectsOf(seriesOf(boundedCache, 3)).empty());
    EXPECT_TRUE(suspectsOf(seriesOf(boundedCache, 2)).empty());
    // One that filled during the first interval and then churned at its bound stopped growing.
    EXPECT_TRUE(suspectsOf(seriesOf(fillingBoundedCache, 3)).empty());
    EXPECT_TRUE(suspectsOf(seriesOf(fillingBoundedCache, 4)).empty());
    // The filled one holds the same objects throughout: nothing new.
    EXPECT_TRUE(suspectsOf(seriesOf(filledCache, 3)).empty());
}

TEST(SnapshotEvidence, GivenALeakHiddenInAChurningTypeWhenComparedThenTheKeptOnesAndTheirListAreNamed)
{
    // dict counts: 2,120 / 2,240 / 2,360 — a census would see a type of thousands barely moving.
    const auto suspects = suspectsOf(seriesOf(churnHidesLeak, 3));
    ASSERT_EQ(suspects.size(), 1u);
    EXPECT_EQ(suspects[0].type, "dict");
    EXPECT_EQ(suspects[0].owner, "__main__.kept (list)");
    EXPECT_EQ(suspects[0].countDelta, 240);
    EXPECT_EQ(suspects[0].snapshotEvidence->kept, 120u);
}

TEST(SnapshotEvidence, GivenClosuresCapturingRequestsWhenComparedThenTheFunctionAndTheRequestClassAreNamed)
{
    const auto suspects = suspectsOf(seriesOf(closures, 3));
    ASSERT_EQ(suspects.size(), 1u);
    const auto& s = suspects[0];
    EXPECT_EQ(s.type, "function");
    EXPECT_EQ(s.userClass, "handle.<locals>.on_done");
    EXPECT_EQ(s.owner, "__main__.callbacks (list)");
    EXPECT_NE(s.why.find("holding 400 __main__.Request"), std::string::npos) << s.why;
}

TEST(SnapshotEvidence, GivenOneSnapshotWhenAccumulationsAreFoundThenTheLargestCollectionsAreListedNotNested)
{
    const auto graph = heapAt(registry, 4); // 1,500 requests in the list
    HeapContext heap(graph);
    const auto found = findAccumulations(heap);
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found[0].owner, "__main__.Registry.entries (list)");
    EXPECT_EQ(found[0].items, 1500u);
    EXPECT_EQ(found[0].itemType, "__main__.Request");
    EXPECT_GT(found[0].share, 0.5);
    for (std::size_t i = 1; i < found.size(); ++i)
        EXPECT_NE(found[i].ownerType, "__main__.Request");
}

TEST(SnapshotEvidence, GivenATrendSuspectWhenTheSnapshotsNameTheSameOwnerThenTheyConfirmIt)
{
    Suspect trend;
    trend.type = "__main__.Request";
    trend.why = "Trend.";
    trend.retainedSize = 1;
    auto fromSnapshots = suspectsOf(seriesOf(registry, 3));
    Suspect other = fromSnapshots[0];
    other.type = "__main__.Other";
    other.ownerAddress = 1;
    other.retainedSize = 2;
    fromSnapshots.push_back(other);
    std::vector<Suspect> suspects { trend };
    mergeSnapshotSuspects(suspects, fromSnapshots, 10);
    ASSERT_EQ(suspects.size(), 2u);
    EXPECT_EQ(suspects[0].type, "__main__.Other"); // ordered by retained size
    EXPECT_EQ(suspects[0].evidence, "snapshots");
    EXPECT_EQ(suspects[1].evidence, "trend+snapshots");
    EXPECT_EQ(suspects[1].owner, "__main__.Registry.entries (list)"); // the trend had none
    EXPECT_NE(suspects[1].why.find("The 3 snapshots agree: 600 of them appeared"), std::string::npos)
        << suspects[1].why;
    EXPECT_NE(evidenceSummary(suspects[1]).find("3 snapshots over 8 s (strong evidence)"), std::string::npos);
}

namespace {

class SnapshotFile {
public:
    SnapshotFile()
    {
        char dir[] = "/tmp/gcscope-evidence-test-XXXXXX";
        dir_ = mkdtemp(dir);
    }
    ~SnapshotFile() { std::filesystem::remove_all(dir_); }
    // A file of `count` snapshots of PID 4242 taken 4 s apart: without sessions, or each in a session
    // of its own as `gcscope snapshot` takes them; every address `shift` bytes further on.
    std::filesystem::path write(const Fill& fill, int count, bool sessions = false, std::uint64_t shift = 0)
    {
        const auto path = dir_ / ("snapshots" + std::to_string(files_++) + ".db");
        auto db = storage::Database::openForWriting(path);
        for (int k = 0; k < count; ++k) {
            snapshot::SnapshotMeta meta;
            if (sessions) {
                storage::Recorder rec(db);
                storage::NewSession session;
                session.pid = 4242;
                session.pythonVersion = "3.11.2";
                session.startedNs = kStart + 4 * k * kSecond - kSecond / 10;
                meta.sessionId = rec.beginSession(session);
                rec.endSession(*meta.sessionId, session.startedNs + kSecond / 5, true, storage::kSnapshotTakenReason);
            }
            meta.takenNs = kStart + 4 * k * kSecond;
            meta.pauseNs = k == 0 ? 250'000'000 : 2'000'000;
            meta.byChild = k > 0; // the first walked in the target, the others by a child
            meta.methodNote = k == 0 ? "asked to (--no-fork)" : "";
            meta.extraMemoryBytes = k > 0 ? 3u << 20 : 0;
            meta.pid = 4242;
            meta.pythonVersion = "3.11.2";
            auto graph = heapAt(fill, k);
            for (auto& address : graph.address)
                address += shift;
            snapshot::saveSnapshot(db, graph, meta);
        }
        db.close();
        return path;
    }

private:
    std::filesystem::path dir_;
    int files_ = 0;
};

LeakReport reportOfFile(const std::filesystem::path& path)
{
    auto db = storage::Database::openForReading(path);
    return buildReport(db, {});
}

} // namespace

TEST(SnapshotEvidence, GivenAFileOfThreeSnapshotsTakenOneByOneWhenReportedThenTheLeakIsNamedInEveryFormat)
{
    SnapshotFile files;
    const auto r = reportOfFile(files.write(registry, 3));
    EXPECT_EQ(r.target.mode, "snapshots");
    EXPECT_EQ(r.target.pid, 4242);
    EXPECT_NEAR(r.target.durationS, 8.0, 1e-9);
    EXPECT_EQ(r.verdict.kind, "suspects");
    ASSERT_FALSE(r.suspects.empty());
    EXPECT_EQ(r.suspects[0].type, "__main__.Request");
    EXPECT_EQ(r.suspects[0].evidence, "trend+snapshots"); // three snapshots make a series too
    EXPECT_EQ(r.suspects[0].owner, "__main__.Registry.entries (list)");
    ASSERT_FALSE(r.accumulations.empty());
    EXPECT_EQ(r.accumulations[0].ownerExpression, "__main__.Registry.entries");
    const auto j = nlohmann::json::parse(renderJson(r));
    EXPECT_EQ(j["suspects"][0]["evidence"], "trend+snapshots");
    EXPECT_EQ(j["suspects"][0]["snapshot_evidence"]["confidence"], "strong");
    EXPECT_EQ(j["suspects"][0]["snapshot_evidence"]["owner_references"], nlohmann::json({ 300, 600, 900 }));
    EXPECT_EQ(j["accumulations"][0]["owner_expression"], "__main__.Registry.entries");
    for (const std::string& text : { renderMarkdown(r), renderHtml(r) }) {
        EXPECT_NE(text.find("3 snapshots over 8 s (strong evidence)"), std::string::npos);
        EXPECT_NE(text.find("Largest accumulation points"), std::string::npos);
        // How each snapshot was taken and what the target felt.
        EXPECT_NE(text.find("the target (asked to (--no-fork))"), std::string::npos);
        EXPECT_NE(text.find("a copy-on-write child (costing 3.0 MiB)"), std::string::npos);
        EXPECT_NE(text.find("250.0 ms"), std::string::npos);
    }
    ASSERT_EQ(j["snapshot_list"].size(), 3u);
    EXPECT_EQ(j["snapshot_list"][0]["method"], "in-process");
    EXPECT_EQ(j["snapshot_list"][0]["method_note"], "asked to (--no-fork)");
    EXPECT_EQ(j["snapshot_list"][1]["method"], "child");
    EXPECT_EQ(j["snapshot_list"][1]["child_memory"], 3u << 20);
    EXPECT_DOUBLE_EQ(j["snapshot_list"][2]["pause_ms"].get<double>(), 2.0);
}

TEST(SnapshotEvidence, GivenSnapshotsTakenByGcscopeSnapshotWhenTheLastIsReportedThenAllOfThemAreCompared)
{
    SnapshotFile files;
    const auto r = reportOfFile(files.write(registry, 3, true));
    EXPECT_EQ(r.target.sessionId, 3);
    EXPECT_EQ(r.snapshots, 3u);
    EXPECT_NEAR(r.target.durationS, 8.1, 1e-6); // from the first snapshot to the end of the last session
    EXPECT_EQ(r.verdict.kind, "suspects");
    ASSERT_FALSE(r.suspects.empty());
    EXPECT_EQ(r.suspects[0].owner, "__main__.Registry.entries (list)");
    EXPECT_EQ(r.suspects[0].snapshotEvidence->snapshots, 3u);

    const auto two = reportOfFile(files.write(filledCache, 2, true));
    EXPECT_EQ(two.verdict.kind, "undecided");
    EXPECT_NE(headline(two).find("take 1 more snapshot (gcscope snapshot, or --snapshot-every when recording)"),
        std::string::npos)
        << headline(two);
}

// Earlier snapshots are read without their graphs (snapshot::loadObjects), packed. One whose
// addresses do not pack is read with its graph instead: the report is the same.
TEST(SnapshotEvidence, GivenSnapshotsWhoseAddressesDoNotPackWhenReportedThenTheLeakIsNamedAsWhenTheyDo)
{
    SnapshotFile files;
    const auto nearPath = files.write(registry, 3);
    const auto farPath = files.write(registry, 3, false, std::uint64_t { 1 } << 48);
    {
        auto db = storage::Database::openForReading(nearPath);
        const auto read = snapshot::loadObjects(db, 1);
        EXPECT_TRUE(read.packed);
        EXPECT_FALSE(read.objects.empty());
    }
    {
        auto db = storage::Database::openForReading(farPath);
        const auto read = snapshot::loadObjects(db, 1, [](std::string_view) { return true; });
        EXPECT_FALSE(read.packed);
        EXPECT_TRUE(read.objects.empty());
        EXPECT_TRUE(read.sizes.empty());
    }
    const auto near = reportOfFile(nearPath), far = reportOfFile(farPath);
    ASSERT_FALSE(near.suspects.empty());
    ASSERT_EQ(far.suspects.size(), near.suspects.size());
    for (std::size_t k = 0; k < near.suspects.size(); ++k) {
        EXPECT_EQ(far.suspects[k].type, near.suspects[k].type);
        EXPECT_EQ(far.suspects[k].owner, near.suspects[k].owner);
        EXPECT_EQ(far.suspects[k].evidence, near.suspects[k].evidence);
        EXPECT_EQ(far.suspects[k].sizeDelta, near.suspects[k].sizeDelta);
        ASSERT_TRUE(far.suspects[k].snapshotEvidence && near.suspects[k].snapshotEvidence);
        EXPECT_EQ(
            far.suspects[k].snapshotEvidence->ownerReferences, near.suspects[k].snapshotEvidence->ownerReferences);
    }
    EXPECT_EQ(near.suspects[0].owner, "__main__.Registry.entries (list)");
}

TEST(SnapshotEvidence, GivenSnapshotsWithoutGrowthWhenReportedThenThreeDecideAndTwoCannot)
{
    SnapshotFile files;
    const auto three = reportOfFile(files.write(filledCache, 3));
    EXPECT_TRUE(three.suspects.empty());
    EXPECT_EQ(three.verdict.kind, "no_steady_growth");
    EXPECT_EQ(headline(three), "No leak suspects");
    EXPECT_NE(renderMarkdown(three).find("no container kept accumulating new objects"), std::string::npos);

    const auto two = reportOfFile(files.write(boundedCache, 2));
    EXPECT_TRUE(two.suspects.empty());
    EXPECT_EQ(two.verdict.kind, "undecided");
    EXPECT_NE(headline(two).find("take 1 more snapshot"), std::string::npos) << headline(two);
}

TEST(SnapshotEvidence, GivenAFileWithNothingInItWhenReportedThenTheErrorSaysSo)
{
    SnapshotFile files;
    const auto path = files.write(registry, 0);
    auto db = storage::Database::openForReading(path);
    try {
        buildReport(db, {});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("holds no recording sessions and no heap snapshots"), std::string::npos)
            << e.what();
    }
}

TEST(SnapshotEvidence, GivenResidentGrowthTheCensusMissesWhenTheSnapshotsShowItThenItIsNotBlamedOnHiddenMemory)
{
    // Resident memory +40 MB over 10 s; the census of tracked objects flat; the snapshots at 2 s and
    // 8 s hold 24 MB more, most of it untracked str held by a list.
    std::vector<storage::ProcessSample> process;
    for (int i = 0; i <= 100; ++i)
        process.push_back({ kStart + i * kSecond / 10, static_cast<std::uint64_t>(30'000'000 + i * 400'000), 1, 5 });
    std::vector<std::pair<std::int64_t, std::uint64_t>> census;
    for (int i = 0; i <= 10; ++i)
        census.emplace_back(kStart + i * kSecond, 5'000'000 + (i % 2) * 1000);
    const std::vector<SnapshotTotals> grew { { kStart + 2 * kSecond, 10'000'000, 4'000'000 },
        { kStart + 8 * kSecond, 34'000'000, 27'000'000 } };
    const auto seen = analyzeMemory(process, census, {}, grew);
    EXPECT_FALSE(seen.untrackedGrowth) << seen.note;
    EXPECT_EQ(seen.snapshotWindowNs, 6 * kSecond);
    EXPECT_EQ(seen.snapshotRssDelta, 24'000'000);
    EXPECT_EQ(seen.snapshotObjectsDelta, 24'000'000);
    EXPECT_EQ(seen.snapshotUntrackedDelta, 23'000'000);
    EXPECT_NE(seen.note.find("the growth is in Python objects"), std::string::npos) << seen.note;

    // Snapshots that grew by little leave the blame where it was, and say what they counted.
    const std::vector<SnapshotTotals> flat { { kStart + 2 * kSecond, 10'000'000, 4'000'000 },
        { kStart + 8 * kSecond, 10'500'000, 4'100'000 } };
    const auto hidden = analyzeMemory(process, census, {}, flat);
    EXPECT_TRUE(hidden.untrackedGrowth);
    EXPECT_NE(
        hidden.note.find("Counting the untracked objects too, the heap snapshots grew by only"), std::string::npos)
        << hidden.note;
}

TEST(SnapshotEvidence, GivenFramesOfOneFunctionWhenTheirUserClassIsAskedThenTheFunctionAndLineAreNamed)
{
    const auto frames = [](bool oneLine) {
        HeapSketch h;
        const auto globals = h.namespaceOf(h.module("__main__"));
        const auto pending = h.object("list");
        h.ref(globals, pending, "pending");
        for (int i = 0; i < 20; ++i) {
            const auto f = h.object("frame", "worker:" + std::to_string(oneLine ? 42 : 40 + i % 3), 400);
            h.item(pending, f, static_cast<std::uint32_t>(i));
        }
        return h.build();
    };
    const auto one = frames(true);
    EXPECT_EQ(userClassOf(HeapContext(one), "frame"), "worker:42");
    const auto several = frames(false);
    EXPECT_EQ(userClassOf(HeapContext(several), "frame"), "worker at several lines");
}

TEST(SnapshotEvidence, GivenARegistryOfClassesWhenAccumulationsAreFoundThenTheDataInsideIsListedNotTheRegistry)
{
    // plugins (dict) -> class Plugin -> its __dict__ -> .entries (list) -> 1,000 __main__.Entry.
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto plugins = h.object("dict", {}, 1200);
    h.ref(globals, plugins, "plugins");
    const auto cls = h.object("type", "Plugin", 1064);
    const auto mro = h.object("tuple", {}, 56);
    h.ref(cls, mro, "__mro__");
    h.item(mro, cls, 0);
    h.ref(plugins, cls, "Plugin");
    const auto entries = h.object("list", {}, 8056);
    h.ref(h.namespaceOf(cls), entries, "entries");
    for (int i = 0; i < 1000; ++i)
        h.item(entries, h.object("__main__.Entry", {}, 56), static_cast<std::uint32_t>(i));
    const auto graph = h.build();
    HeapContext heap(graph);
    const auto found = findAccumulations(heap);
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found[0].ownerExpression, "__main__.plugins['Plugin'].entries");
    EXPECT_EQ(found[0].itemType, "__main__.Entry");
    for (const auto& a : found)
        EXPECT_NE(a.ownerExpression, "__main__.plugins");
}

TEST(SnapshotEvidence, GivenASessionBeingRecordedWhenReportedLiveThenTheNoteSaysSoNotIncomplete)
{
    char dir[] = "/tmp/gcscope-live-report-XXXXXX";
    const std::filesystem::path root = mkdtemp(dir);
    const auto path = root / "live.db";
    {
        auto db = storage::Database::openForWriting(path);
        storage::Recorder rec(db);
        storage::NewSession session;
        session.pid = 4242;
        session.startedNs = kStart;
        rec.beginSession(session); // not ended: the recorder is still at it
    }
    auto db = storage::Database::openForReading(path);
    ReportOptions options;
    const auto later = buildReport(db, options);
    options.live = true;
    const auto live = buildReport(db, options);
    std::filesystem::remove_all(root);
    const auto has = [](const LeakReport& r, const std::string& text) {
        return std::any_of(
            r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has(live, "The session is still being recorded"));
    EXPECT_FALSE(has(live, "incomplete"));
    EXPECT_TRUE(has(later, "The session is incomplete"));
}
