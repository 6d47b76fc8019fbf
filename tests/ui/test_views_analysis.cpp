// The std-only analysis the views added to profiler/analysis: growth over a census series, the
// DevTools-style comparison (new/freed by address), and per-type retained sizes. Small graphs built
// by hand, where every number can be worked out on paper.
#include "analysis/Comparison.h"
#include "analysis/Dominators.h"
#include "analysis/Growth.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/Roots.h"
#include "analysis/TypeSummary.h"

#include "test_views_support.h"

using namespace gcscope;
using namespace gcscope::analysis;

namespace {

const TypeComparisonRow* rowOf(const std::vector<TypeComparisonRow>& rows, const std::string& type)
{
    for (const auto& r : rows)
        if (r.type == type)
            return &r;
    return nullptr;
}

} // namespace

class ViewsAnalysisTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void givenASteadySeries_whenGrowthIsComputed_thenTheSlopeIsPerMinute()
    {
        // 10 objects more every 30 s, with a burst in the middle the slope must not follow.
        std::vector<storage::TypePoint> points;
        for (int i = 0; i < 5; ++i)
            points.push_back({ i * 30'000'000'000LL, std::uint64_t(100 + 10 * i), std::uint64_t(4800 + 480 * i) });
        const auto g = growthOf(points);
        QCOMPARE(g.countDelta, 40);
        QCOMPARE(g.sizeDelta, 1920);
        QVERIFY(std::abs(g.countPerMinute - 20.0) < 1e-9);
        QVERIFY(std::abs(g.sizePerMinute - 960.0) < 1e-9);
    }

    void givenFewerThanTwoPoints_whenGrowthIsComputed_thenItIsZero()
    {
        QCOMPARE(growthOf({}).countPerMinute, 0.0);
        const std::vector<storage::TypePoint> one { { 5, 10, 20 } };
        QCOMPARE(growthOf(one).countDelta, 0);
        QCOMPARE(growthOf(one).countPerMinute, 0.0);
    }

    void givenTwoSnapshots_whenCompared_thenNewAndFreedMatchByAddressAndType()
    {
        // Before: A@1, A@2, B@3. After: A@2 (kept), A@4 (new), B@1 (a B where an A was: new B, freed A),
        // B@3 gone (freed).
        HeapGraphBuilder before;
        const auto a = before.internType("A"), b = before.internType("B");
        before.addObject(1, a, 10, 1, Tracked);
        before.addObject(2, a, 10, 1, Tracked);
        before.addObject(3, b, 30, 1, Tracked);
        const auto from = before.build();
        HeapGraphBuilder after;
        const auto b2 = after.internType("B"), a2 = after.internType("A"); // other type indices
        after.addObject(2, a2, 10, 1, Tracked);
        after.addObject(4, a2, 12, 1, Tracked);
        after.addObject(1, b2, 30, 1, Tracked);
        const auto to = after.build();

        const auto rows = compareGraphs(&from, to);
        const auto* ra = rowOf(rows, "A");
        const auto* rb = rowOf(rows, "B");
        QVERIFY(ra && rb);
        QCOMPARE(ra->countFrom, 2u);
        QCOMPARE(ra->countTo, 2u);
        QCOMPARE(ra->added, 1u);
        QCOMPARE(ra->freed, 1u);
        QCOMPARE(ra->addedSize, 12u);
        QCOMPARE(ra->freedSize, 10u);
        QCOMPARE(rb->added, 1u);
        QCOMPARE(rb->freed, 1u);
        for (const auto& r : rows)
            QCOMPARE(static_cast<std::int64_t>(r.added) - static_cast<std::int64_t>(r.freed), r.countDelta);
        // The same order and deltas as diffGraphs (what `gcscope diff` prints).
        const auto diff = diffGraphs(from, to);
        QCOMPARE(rows.size(), diff.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            QVERIFY(static_cast<const TypeDiffRow&>(rows[i]) == diff[i]);
    }

    void givenNoBaseline_whenCompared_thenEverythingIsNew()
    {
        HeapGraphBuilder builder;
        const auto a = builder.internType("A");
        builder.addObject(1, a, 10, 1, Tracked);
        builder.addObject(2, a, 10, 1, Tracked);
        const auto rows = compareGraphs(nullptr, builder.build());
        QCOMPARE(rows.size(), 1u);
        QCOMPARE(rows[0].added, 2u);
        QCOMPARE(rows[0].freed, 0u);
        QCOMPARE(rows[0].countDelta, 2);
    }

    void givenAChainOfOneType_whenTypesAreSummarized_thenRetainedCountsEachObjectOnce()
    {
        // root holder (H, external ref) -> N1 -> N2 -> N3, and H -> leaf S. N's retained: 3 nodes of 10.
        HeapGraphBuilder builder;
        const auto h = builder.internType("H"), n = builder.internType("N"), s = builder.internType("str");
        const auto holder = builder.addObject(0x10, h, 100, 2, Tracked);
        const auto n1 = builder.addObject(0x20, n, 10, 1, Tracked);
        const auto n2 = builder.addObject(0x30, n, 10, 1, Tracked);
        const auto n3 = builder.addObject(0x40, n, 10, 1, Tracked);
        const auto leaf = builder.addObject(0x50, s, 5, 1, 0);
        builder.addEdge(holder, n1);
        builder.addEdge(n1, n2);
        builder.addEdge(n2, n3);
        builder.addEdge(holder, leaf);
        const auto graph = builder.build();
        const auto roots = findRoots(graph);
        const auto tree = computeDominators(graph, roots);
        const auto children = buildDominatorChildren(tree);
        const auto summary = summarizeTypes(graph, tree, children);

        QCOMPARE(summary.types.size(), 3u);
        QCOMPARE(graph.typeNames[summary.types[0].type], std::string("H")); // largest retained first
        QCOMPARE(summary.types[0].retainedSize, 135u);
        const auto& nodes = summary.types[1];
        QCOMPARE(graph.typeNames[nodes.type], std::string("N"));
        QCOMPARE(nodes.count, 3u);
        QCOMPARE(nodes.shallowSize, 30u);
        QCOMPARE(nodes.retainedSize, 30u); // not 30 + 20 + 10
        const auto instances = summary.instancesOf(n);
        QCOMPARE(instances.size(), 3u);
        QCOMPARE(instances[0], n1); // retains the most
        QCOMPARE(instances[2], n3);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsAnalysisTest)
#include "test_views_analysis.moc"
