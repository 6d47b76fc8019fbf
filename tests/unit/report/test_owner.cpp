// The owner finder and object names on hand-made heaps: a registry list in a class, a cache dict
// inside a wrapper object, instances split between two lists, and instances held from everywhere.
#include "HeapSketch.h"

#include "report/Attribution.h"
#include "report/HeapContext.h"
#include "report/Suspects.h"

#include <gtest/gtest.h>

#include <map>

using namespace gcscope::report;
using gcscope::analysis::ObjectId;
using gcscope::report::test::HeapSketch;

namespace {

// __main__.AuditLog.entries = [(time, Request), ...], each Request <-> Session, plus Requests that
// only the module's `current` list holds (not part of the leak).
struct Registry {
    HeapSketch h;
    HeapSketch::Id entries = 0;
    std::vector<HeapSketch::Id> requests;

    explicit Registry(int leaked, int others = 0)
    {
        const auto main = h.module("__main__");
        const auto globals = h.namespaceOf(main);
        const auto auditLog = h.klass(globals, "AuditLog");
        entries = h.object("list", {}, 8 * leaked + 56);
        h.ref(h.namespaceOf(auditLog), entries, "entries");
        for (int i = 0; i < leaked; ++i) {
            const auto entry = h.object("tuple", {}, 56);
            const auto stamp = h.object("float", "1.5", 24);
            const auto request = h.object("__main__.Request", {}, 56);
            const auto session = h.object("__main__.Session", {}, 56);
            h.item(entries, entry, static_cast<std::uint32_t>(i));
            h.item(entry, stamp, 0);
            h.item(entry, request, 1);
            h.ref(request, session, "session");
            h.ref(session, request, "request");
            requests.push_back(request);
        }
        if (others > 0) {
            const auto current = h.object("list");
            h.ref(globals, current, "current");
            for (int i = 0; i < others; ++i) {
                const auto request = h.object("__main__.Request", {}, 56);
                h.item(current, request, static_cast<std::uint32_t>(i));
            }
        }
    }
};

std::vector<ObjectId> ids(const std::vector<HeapSketch::Id>& v)
{
    return { v.begin(), v.end() };
}

} // namespace

TEST(OwnerFinder, GivenARegistryListInAClassWhenAskedWhoHoldsTheRequestsThenItIsAuditLogEntries)
{
    Registry r(200);
    const auto graph = r.h.build();
    HeapContext heap(graph);
    const auto& requests = heap.instancesOf("__main__.Request");
    ASSERT_EQ(requests.size(), 200u);

    const auto owner = findOwner(heap, { requests, 200 });
    ASSERT_EQ(owner.owner, r.entries);
    EXPECT_EQ(owner.method, "dominator");
    EXPECT_DOUBLE_EQ(owner.share, 1.0);
    EXPECT_EQ(heap.namer.expression(owner.owner), "__main__.AuditLog.entries");

    // The representative path runs from the module to a Request, through the list and a tuple.
    const auto path = toPathSteps(heap, owner.representative);
    ASSERT_GE(path.size(), 4u);
    EXPECT_EQ(path.front().type, "module");
    EXPECT_TRUE(path.front().root);
    EXPECT_EQ(path.back().type, "__main__.Request");
    EXPECT_EQ(path[path.size() - 2].type, "tuple");
    EXPECT_EQ(*path[path.size() - 2].edge, "[1]");
    EXPECT_EQ(path[path.size() - 3].type, "list");
}

TEST(OwnerFinder, GivenOlderInstancesInABiggerListWhenAnEarlierSnapshotShowsWhichGrewThenTheRegistryOwnsTheNewOnes)
{
    // 150 added to the registry during the recording, 250 older ones in another list that did not
    // change: the registry holds only 37% of all instances but every one of the 150 added.
    Registry before(10, 250);
    Registry r(150, 250);
    const auto earlierGraph = before.h.build();
    const auto graph = r.h.build();
    HeapContext heap(graph);
    const auto& requests = heap.instancesOf("__main__.Request");
    ASSERT_EQ(requests.size(), 400u);
    const EarlierSizes earlier(earlierGraph);

    const auto owner = findOwner(heap, { requests, 150, 0.5, 2000, &earlier });
    EXPECT_EQ(owner.owner, r.entries);
    EXPECT_DOUBLE_EQ(owner.share, 1.0);
    EXPECT_EQ(earlier.growth(graph, r.entries), 8 * 140);

    // One snapshot alone cannot tell which list is filling up: the one holding more wins.
    const auto current = findOwner(heap, { requests, 150 }).owner;
    EXPECT_EQ(heap.namer.expression(current), "__main__.current");
}

TEST(OwnerFinder, GivenACacheDictInsideAWrapperObjectWhenAskedThenItIsTheWrappersDict)
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto cache = h.object("__main__.ResponseCache");
    h.ref(globals, cache, "cache");
    const auto entries = h.object("dict", {}, 4700);
    h.ref(cache, entries, "_entries"); // 3.11 inline attribute
    for (int i = 0; i < 120; ++i) {
        const auto response = h.object("__main__.Response");
        const auto headers = h.object("dict", {}, 184);
        h.ref(entries, response, "/items?rid=" + std::to_string(i));
        h.ref(response, headers, "headers");
    }
    const auto graph = h.build();
    HeapContext heap(graph);
    const auto owner = findOwner(heap, { heap.instancesOf("__main__.Response"), 120 });
    ASSERT_EQ(owner.owner, entries);
    EXPECT_EQ(heap.namer.expression(owner.owner), "__main__.cache._entries");
    // A dict key that is data, not a name, is quoted.
    const auto path = toPathSteps(heap, owner.representative);
    EXPECT_EQ(
        heap.namer.expression(heap.graph.find(path.back().address)).rfind("__main__.cache._entries['/items?rid=", 0),
        0u);
}

TEST(OwnerFinder, GivenInstancesSplitBetweenTwoListsWhenNoneDominatesThenTheBiggerHolderWins)
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto a = h.object("list"), b = h.object("list");
    h.ref(globals, a, "pending");
    h.ref(globals, b, "retry");
    std::vector<HeapSketch::Id> jobs;
    for (int i = 0; i < 100; ++i) {
        const auto job = h.object("__main__.Job");
        h.item(i < 70 ? a : b, job, static_cast<std::uint32_t>(i));
        jobs.push_back(job);
    }
    const auto graph = h.build();
    HeapContext heap(graph);
    const auto owner = findOwner(heap, { ids(jobs), 100 });
    EXPECT_EQ(owner.owner, a);
    EXPECT_EQ(owner.method, "dominator"); // 70% of them hang from `pending` alone
    EXPECT_NEAR(owner.share, 0.7, 1e-9);
    EXPECT_EQ(heap.namer.expression(a), "__main__.pending");
}

TEST(OwnerFinder, GivenInstancesHeldByTwoContainersEachWhenNoneDominatesThenTheNearestCollectionVotes)
{
    // Every task is in the `inflight` set and also in one of many small per-worker lists: no
    // single object dominates them, and the module's globals are only a namespace.
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto inflight = h.object("set", {}, 8408);
    h.ref(globals, inflight, "inflight");
    std::vector<HeapSketch::Id> workers;
    for (int w = 0; w < 10; ++w) {
        const auto worker = h.object("list");
        h.ref(globals, worker, "worker" + std::to_string(w));
        workers.push_back(worker);
    }
    std::vector<HeapSketch::Id> tasks;
    for (int i = 0; i < 100; ++i) {
        const auto task = h.object("_asyncio.Task", {}, 96);
        h.plain(inflight, task);
        h.item(workers[static_cast<std::size_t>(i % 10)], task, static_cast<std::uint32_t>(i / 10));
        tasks.push_back(task);
    }
    const auto graph = h.build();
    HeapContext heap(graph);
    const auto owner = findOwner(heap, { ids(tasks), 100 });
    // Every task's shortest path is as long through the set as through its worker list; the BFS
    // meets `inflight` first (it is the first global), so it is every task's nearest collection.
    EXPECT_EQ(owner.owner, inflight);
    EXPECT_EQ(owner.method, "holder");
    EXPECT_DOUBLE_EQ(owner.share, 1.0);
    EXPECT_FALSE(heap.isCollection(globals));
    EXPECT_TRUE(heap.isNamespace(globals));
}

TEST(OwnerFinder, GivenInstancesScatteredOverManyHoldersWhenAskedThenThereIsNoOwner)
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    std::vector<HeapSketch::Id> items;
    for (int l = 0; l < 10; ++l) {
        const auto list = h.object("list");
        h.ref(globals, list, "bucket" + std::to_string(l));
        for (int i = 0; i < 10; ++i) {
            const auto item = h.object("__main__.Item");
            h.item(list, item, static_cast<std::uint32_t>(i));
            items.push_back(item);
        }
    }
    const auto graph = h.build();
    HeapContext heap(graph);
    EXPECT_EQ(findOwner(heap, { ids(items), 100 }).owner, gcscope::analysis::kNoObject);
}

TEST(ObjectNamer, GivenALoggerRegistryWhenNamedThenDictKeysAreQuotedAndAttributesDotted)
{
    HeapSketch h;
    const auto logging = h.namespaceOf(h.module("logging"));
    const auto manager = h.object("logging.Manager");
    const auto loggers = h.object("dict");
    const auto logger = h.object("logging.Logger");
    const auto handlers = h.object("list");
    h.ref(logging, manager, "manager");
    h.ref(manager, loggers, "loggerDict");
    h.ref(loggers, logger, "app.db");
    h.ref(h.namespaceOf(logger), handlers, "handlers"); // a materialised instance __dict__
    const auto graph = h.build();
    HeapContext heap(graph);
    EXPECT_EQ(heap.namer.expression(handlers), "logging.manager.loggerDict['app.db'].handlers");
    EXPECT_EQ(heap.namer.expression(logger), "logging.manager.loggerDict['app.db']");
}

// Each step is named by the reference the search followed: a container holding an object twice
// names it by the first (the labels are looked up when naming, not kept for every object).
TEST(ObjectNamer, GivenAnObjectHeldTwiceByItsParentWhenNamedThenTheFirstReferenceNamesIt)
{
    HeapSketch h;
    const auto app = h.namespaceOf(h.module("app"));
    const auto jobs = h.object("list");
    const auto job = h.object("app.Job");
    const auto tags = h.object("set");
    const auto tag = h.object("app.Tag");
    h.ref(app, jobs, "jobs");
    h.item(jobs, job, 3);
    h.item(jobs, job, 7); // the same job again, later in the list
    h.ref(h.namespaceOf(job), tags, "tags");
    h.plain(tags, tag);
    const auto lone = h.object("app.Unreached"); // no module reaches it
    const auto graph = h.build();
    HeapContext heap(graph);
    EXPECT_EQ(heap.namer.expression(job), "app.jobs[3]");
    EXPECT_EQ(heap.namer.expression(tag), "app.jobs[3].tags[?]");
    EXPECT_EQ(heap.namer.expression(lone), "");
}

TEST(Suspects, GivenTheRegistryLeakWhenSuspectsAreFoundThenRequestLeadsAndItsCompanionsFold)
{
    Registry r(300);
    const auto graph = r.h.build();
    HeapContext heap(graph);
    auto grow = [](const std::string& type, std::int64_t per, std::int64_t bytes) {
        TypeGrowth g;
        g.type = type;
        std::vector<double> t, y;
        for (int i = 0; i < 10; ++i) {
            g.counts.push_back(static_cast<std::uint64_t>(100 + per * i));
            g.sizes.push_back(static_cast<std::uint64_t>((100 + per * i) * bytes));
            t.push_back(i * 0.5);
            y.push_back(static_cast<double>(100 + per * i));
        }
        g.countDelta = per * 9;
        g.sizeDelta = per * 9 * bytes;
        g.countTrend = testTrend(t, y);
        g.sizeTrend = g.countTrend;
        return g;
    };
    std::vector<TypeGrowth> growth { grow("__main__.Request", 33, 56), grow("__main__.Session", 33, 56),
        grow("tuple", 33, 56), grow("str", 1, 50) };
    const auto suspects = findSuspects(growth, &heap, {});
    ASSERT_EQ(suspects.size(), 1u);
    const auto& s = suspects.front();
    EXPECT_EQ(s.type, "__main__.Request");
    EXPECT_EQ(s.owner, "__main__.AuditLog.entries (list)");
    EXPECT_EQ(s.ownerMethod, "dominator");
    ASSERT_EQ(s.companions.size(), 2u);
    std::map<std::string, std::string> relation;
    for (const auto& c : s.companions)
        relation[c.type] = c.relation;
    EXPECT_EQ(relation["__main__.Session"], "part of");
    EXPECT_EQ(relation["tuple"], "wraps");
    EXPECT_NE(s.why.find("__main__.AuditLog.entries (list) holds all of them"), std::string::npos) << s.why;
    EXPECT_EQ(s.retentionPath.back().type, "__main__.Request");
    // Retained: each Request with its Session (the tuples are outside).
    EXPECT_EQ(s.retainedSize, 300u * (56 + 56));
    // str grew by 9 objects only: not material.
    EXPECT_FALSE(growth[3].suspect);
    EXPECT_TRUE(growth[0].suspect && growth[1].suspect && growth[2].suspect);
}

TEST(Suspects, GivenNoSnapshotWhenSuspectsAreFoundThenTheyHaveNoOwnerAndSaySo)
{
    TypeGrowth g;
    g.type = "__main__.Request";
    std::vector<double> t { 0, 1, 2, 3 }, y { 0, 200, 400, 600 };
    g.counts = { 0, 200, 400, 600 };
    g.sizes = { 0, 11200, 22400, 33600 };
    g.countDelta = 600;
    g.sizeDelta = 33600;
    g.countTrend = testTrend(t, y);
    g.sizeTrend = g.countTrend;
    std::vector<TypeGrowth> growth { g };
    const auto suspects = findSuspects(growth, nullptr, {});
    ASSERT_EQ(suspects.size(), 1u);
    EXPECT_TRUE(suspects[0].owner.empty());
    EXPECT_NE(suspects[0].why.find("take a heap snapshot"), std::string::npos);
}

TEST(UserClass, GivenBoundMethodsAndInstanceDictsThenTheyAreNamedByTheUserClassTheyBelongTo)
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto listeners = h.object("list");
    h.ref(globals, listeners, "listeners");
    for (std::uint32_t i = 0; i < 10; ++i) {
        const auto widget = h.object("__main__.Widget");
        const auto method = h.object("method");
        h.ref(method, widget, "__self__");
        h.item(listeners, method, i);
        h.namespaceOf(widget); // its __dict__, referred to as "__dict__"
    }
    const auto graph = h.build();
    HeapContext heap(graph);
    EXPECT_EQ(userClassOf(heap, "method"), "bound methods of __main__.Widget");
    EXPECT_EQ(userClassOf(heap, "dict"), "__dict__ of __main__.Widget instances");
    EXPECT_EQ(userClassOf(heap, "list"), "");
    EXPECT_EQ(userClassOf(heap, "__main__.Widget"), "");
}
