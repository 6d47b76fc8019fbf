// The cycles view over a snapshot of tests/targets/gc_articles.py (the GC articles' examples kept
// as garbage): the model lists them as garbage, the Person pair flagged __del__, in the order and
// with the totals `gcscope cycles --json` prints; the drawing has the members and labelled edges;
// double-clicking an object asks the inspector for it.
#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/CycleGraphScene.h"
#include "views/CycleGraphView.h"
#include "views/CycleListModel.h"
#include "views/CyclesView.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotCache.h"

#include "test_views_support.h"

#include <QAbstractItemModelTester>
#include <QGraphicsItem>
#include <QJsonArray>
#include <QLabel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTreeView>

using namespace gcscope::ui;

class ViewsCyclesTest : public QObject {
    Q_OBJECT
private:
    QString db_;

    void open(DocumentContext& context, CyclesView& view)
    {
        QSignalSpy loaded(&view, &CyclesView::loaded);
        context.setDatabasePath(db_);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !view.isLoading(); }));
        QVERIFY(view.model()->analysis());
    }

    // The row of the first garbage cycle made only of `count` objects of `type`, or -1.
    static int rowOf(const CycleListModel& model, const std::string& type, std::uint64_t count)
    {
        const auto& a = *model.analysis();
        for (int row = 0; row < model.rowCount(); ++row) {
            const auto& c = a.cycles().cycles[static_cast<std::size_t>(row)];
            if (c.unreachable && c.types.size() == 1 && a.graph.typeNames[c.types[0].type] == type
                && c.types[0].count == count)
                return row;
        }
        return -1;
    }

    void select(CyclesView& view, int sourceRow)
    {
        view.table()->setCurrentIndex(view.proxy()->mapFromSource(view.model()->index(sourceRow, 0)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        db_ = test::fixture("articles.db", &skip);
        if (db_.isEmpty())
            QSKIP(qPrintable(skip));
    }

    void givenTheArticleExamples_whenTheCyclesLoad_thenTheyAreGarbageAsTheCliSays()
    {
        DocumentContext context;
        CyclesView view(&context);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1280, 800);
        view.show();
        open(context, view);
        const auto& a = *view.model()->analysis();

        const auto cli = test::cliJson({ QStringLiteral("cycles"), db_ });
        QCOMPARE(
            static_cast<qint64>(a.unreachable().count()), cli.value(QStringLiteral("unreachable_objects")).toInteger());
        QCOMPARE(
            static_cast<qint64>(a.unreachable().totalSize), cli.value(QStringLiteral("unreachable_size")).toInteger());
        QVERIFY(view.summary()->text().contains(QString::number(a.unreachable().count())));
        QVERIFY(view.summary()->text().contains(QStringLiteral("next full collection would free")));

        // Same cycles in the same order: garbage first, then __del__, then by size.
        const auto cycles = cli.value(QStringLiteral("cycles")).toArray();
        QCOMPARE(view.model()->rowCount(), cycles.size());
        for (qsizetype i = 0; i < cycles.size(); ++i) {
            const auto o = cycles[i].toObject();
            const auto& c = a.cycles().cycles[static_cast<std::size_t>(i)];
            QCOMPARE(static_cast<qint64>(c.memberCount), o.value(QStringLiteral("objects")).toInteger());
            QCOMPARE(static_cast<qint64>(c.totalSize), o.value(QStringLiteral("size")).toInteger());
            QCOMPARE(c.unreachable, o.value(QStringLiteral("unreachable")).toBool());
            QCOMPARE(c.hasFinalizer, o.value(QStringLiteral("has_finalizer")).toBool());
        }

        const int persons = rowOf(*view.model(), "__main__.Person", 2);
        QVERIFY(persons >= 0);
        QCOMPARE(
            view.model()->index(persons, CycleListModel::GarbageColumn).data().toString(), QStringLiteral("garbage"));
        QCOMPARE(
            view.model()->index(persons, CycleListModel::FinalizerColumn).data().toString(), QStringLiteral("__del__"));
        QCOMPARE(persons, 0); // the only garbage with a finalizer comes first
        QVERIFY(rowOf(*view.model(), "__main__.Node", 5) > 0);
        QVERIFY(rowOf(*view.model(), "dict", 2) > 0);
        QVERIFY(rowOf(*view.model(), "list", 1) > 0);
        QCOMPARE(
            view.model()->index(rowOf(*view.model(), "list", 1), CycleListModel::FinalizerColumn).data().toString(),
            QString());
    }

    void givenTheAnalysisTheOtherViewsShare_whenTheCyclesViewLoadsIt_thenOnlyThenAreTheCyclesFound()
    {
        struct Wanting final : JobControl {
            bool cancelled() const override { return false; }
            void progress(int, int, const QString&) const override { }
        } wanting;
        SnapshotCache::instance().clear();
        // What the leak report and the inspector ask for: the cycles are not worked out for them.
        const auto shared = SnapshotCache::instance().analysis(db_, std::nullopt, wanting);
        QVERIFY(!shared->cyclesFound());
        QVERIFY(!shared->unreachableFound());

        DocumentContext context;
        CyclesView view(&context);
        view.resize(1280, 800);
        view.show();
        open(context, view);
        QCOMPARE(view.model()->analysis(), shared.get()); // the same analysis, its cycles now found
        QVERIFY(shared->cyclesFound());
        QVERIFY(shared->unreachable().count() > 0);
        QVERIFY(!shared->typesSummed()); // the inspector's
        QVERIFY(view.model()->rowCount() > 0);
        QCOMPARE(static_cast<std::size_t>(view.model()->rowCount()), shared->cycles().cycles.size());
    }

    void givenACycle_whenSelected_thenItIsDrawnWithLabelledEdges()
    {
        DocumentContext context;
        CyclesView view(&context);
        view.resize(1280, 800);
        view.show();
        open(context, view);

        select(view, rowOf(*view.model(), "__main__.Person", 2));
        QCOMPARE(view.scene()->nodeCount(), 2);
        QCOMPARE(view.scene()->edgeCount(), 2); // alice.friend -> bob, bob.friend -> alice
        QCOMPARE(view.scene()->edgeLabels(), QStringList({ QStringLiteral("friend"), QStringLiteral("friend") }));

        select(view, rowOf(*view.model(), "__main__.Node", 5));
        QCOMPARE(view.scene()->nodeCount(), 5);
        QCOMPARE(view.scene()->edgeCount(), 5);
        for (const auto& label : view.scene()->edgeLabels())
            QCOMPARE(label, QStringLiteral("next"));

        select(view, rowOf(*view.model(), "list", 1));
        QCOMPARE(view.scene()->nodeCount(), 1);
        QCOMPARE(view.scene()->edgeCount(), 1); // the list contains itself
        QCOMPARE(view.scene()->edgeLabels(), QStringList({ QStringLiteral("[0]") }));

        select(view, rowOf(*view.model(), "dict", 2));
        QCOMPARE(view.scene()->edgeLabels().size(), 2);
        QVERIFY(view.scene()->edgeLabels().contains(QStringLiteral("a")));
        QVERIFY(view.scene()->edgeLabels().contains(QStringLiteral("b")));
    }

    void givenALargeComponent_whenDrawn_thenItIsCappedWithANote()
    {
        DocumentContext context;
        CyclesView view(&context);
        view.show();
        open(context, view);
        const auto& cycles = view.model()->analysis()->cycles().cycles;
        int large = -1;
        for (std::size_t i = 0; i < cycles.size(); ++i)
            if (cycles[i].memberCount > static_cast<std::uint64_t>(CycleGraphScene::kMaxNodes))
                large = static_cast<int>(i);
        if (large < 0)
            QSKIP("no component larger than the drawing's cap in this snapshot");
        select(view, large);
        QCOMPARE(view.scene()->nodeCount(), CycleGraphScene::kMaxNodes);
        QVERIFY(view.scene()->memberCount() > CycleGraphScene::kMaxNodes);
    }

    void givenTheDrawing_whenAnObjectIsDoubleClicked_thenTheInspectorIsAskedForIt()
    {
        DocumentContext context;
        CyclesView view(&context);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        open(context, view);
        select(view, rowOf(*view.model(), "__main__.Person", 2));
        QSignalSpy asked(&context, &DocumentContext::inspectObjectRequested);
        QGraphicsItem* node = nullptr;
        for (auto* item : view.scene()->items())
            if (item->data(0).isValid())
                node = item;
        QVERIFY(node);
        const QPoint at = view.graphView()->mapFromScene(node->sceneBoundingRect().center());
        QTest::mouseClick(view.graphView()->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(view.graphView()->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(asked.count(), 1);
        const auto& g = view.model()->analysis()->graph;
        QCOMPARE(asked.first().first().toULongLong(), g.address[node->data(0).toUInt()]);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsCyclesTest)
#include "test_views_cycles.moc"
