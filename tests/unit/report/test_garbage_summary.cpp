// A snapshot's garbage summary (report/CyclicGarbage.h): what the file keeps per snapshot so that a
// report needs no earlier graph. It must add up to exactly what the graph gives, survive its JSON
// form unchanged, and refuse any text that is not one (a damaged summary is worked out anew).
#include "HeapSketch.h"

#include "report/CyclicGarbage.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace gcscope;
using namespace gcscope::report;
using report::test::HeapSketch;

namespace {

// A module holding a list of live nodes, two garbage cycles of one shape (a Node and its __dict__
// with a named reference back), one with a finalizer, and an untracked str.
analysis::HeapGraph sketch()
{
    HeapSketch h;
    const auto globals = h.namespaceOf(h.module("__main__"));
    const auto live = h.object("list");
    h.ref(globals, live, "nodes");
    for (std::uint32_t i = 0; i < 3; ++i)
        h.item(live, h.object("__main__.Node"), i);
    for (int i = 0; i < 2; ++i) {
        const auto a = h.object("__main__.Node", {}, 56);
        const auto b = h.object("__main__.Peer", {}, 40);
        h.ref(h.namespaceOf(a), b, "peer");
        h.ref(h.namespaceOf(b), a, "owner");
    }
    const auto text = h.object("str", {}, 60);
    h.untracked(text);
    h.ref(globals, text, "name");
    return h.build();
}

} // namespace

TEST(GarbageSummary, GivenASnapshotThenItsSummaryIsWhatTheTallyOfItsGraphGivesAndSurvivesItsJson)
{
    const auto graph = sketch();
    const auto g = summarizeGarbage(graph);
    EXPECT_EQ(g.objects, 8u); // two cycles of a Node, a Peer and their two __dict__s
    EXPECT_EQ(g.byType.at("__main__.Node").objects, 2u);
    EXPECT_EQ(g.byType.at("__main__.Peer").objects, 2u);
    EXPECT_EQ(g.liveByType.at("__main__.Node"), 3u);
    EXPECT_FALSE(g.liveByType.count("str")) << "untracked objects are not the collector's";
    EXPECT_EQ(g.untrackedBytes, 60u);
    ASSERT_EQ(g.groups.size(), 1u);
    const auto& group = g.groups.begin()->second;
    EXPECT_EQ(group.cycles, 2u);
    EXPECT_EQ(group.edges.at("__main__.Node.peer"), 2u);

    const auto text = encodeGarbage(g);
    const auto back = decodeGarbage(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, g);
    EXPECT_EQ(encodeGarbage(*back), text);

    // Tallied from the summary or from the graph, over two snapshots: the same.
    GarbageTally fromGraphs, fromSummaries;
    fromGraphs.add(graph, 1);
    fromGraphs.add(graph, 2);
    fromSummaries.add(*back, 1);
    fromSummaries.add(*back, 2);
    EXPECT_EQ(fromSummaries.objects(), fromGraphs.objects());
    EXPECT_EQ(fromSummaries.size(), fromGraphs.size());
    ASSERT_EQ(fromSummaries.groups().size(), fromGraphs.groups().size());
    EXPECT_EQ(fromSummaries.groups()[0].edges, fromGraphs.groups()[0].edges);
    EXPECT_EQ(fromSummaries.groups()[0].breakEdge, fromGraphs.groups()[0].breakEdge);
    EXPECT_EQ(fromSummaries.byType().size(), fromGraphs.byType().size());
}

TEST(GarbageSummary, GivenTextThatIsNotASummaryThenItIsRefused)
{
    const auto good = nlohmann::json::parse(encodeGarbage(summarizeGarbage(sketch())));
    ASSERT_TRUE(decodeGarbage(good.dump()));
    const auto with = [&](const nlohmann::json::json_pointer& at, const nlohmann::json& value) {
        auto j = good;
        j[at] = value;
        return j.dump();
    };
    using P = nlohmann::json::json_pointer;
    const std::vector<std::string> bad {
        "", "not json", "[]", good.dump().substr(0, good.dump().size() / 2), with(P("/bytes"), -1),
        with(P("/bytes"), 1.5), with(P("/live"), nlohmann::json::array()), with(P("/live/__main__.Node"), "3"),
        with(P("/garbage/objects"), nullptr), with(P("/garbage/by_type/__main__.Node"), nlohmann::json::array({ 1 })),
        with(P("/cycles/0/types"), nlohmann::json::array()),
        with(P("/cycles/0/types/0"), nlohmann::json::array({ 1, 2 })), with(P("/cycles/0/finalizer"), 0),
        with(P("/cycles/0/edges"), nlohmann::json::array()), with(P("/cycles/1"), good["cycles"][0]), // one shape twice
    };
    for (const auto& text : bad)
        EXPECT_FALSE(decodeGarbage(text)) << text.substr(0, 200);
    auto missing = good;
    missing.erase("untracked_bytes");
    EXPECT_FALSE(decodeGarbage(missing.dump()));
}
