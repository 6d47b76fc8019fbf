// The types view over a real recording of the leaking demo: the model (checked by
// QAbstractItemModelTester) shows __main__.Request growing, with the numbers `gcscope growth`
// prints, and a live refresh keeps the user's sort and selection.
#include "core/DocumentContext.h"
#include "views/ModelRoles.h"
#include "views/TypeGrowthModel.h"
#include "views/TypeSeriesChart.h"
#include "views/TypesView.h"

#include "test_views_support.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QJsonArray>
#include <QLineEdit>
#include <QLineSeries>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTreeView>

using namespace gcscope::ui;

class ViewsTypesTest : public QObject {
    Q_OBJECT
private:
    QString db_;

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        db_ = test::fixture("leaky.db", &skip);
        if (db_.isEmpty())
            QSKIP(qPrintable(skip));
    }

    void givenTheLeakyDemo_whenTheTypesModelLoads_thenRequestGrowsAsTheCliSays()
    {
        TypeGrowthModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto table = std::make_shared<TypeGrowthTable>(loadTypeGrowth(db_, std::nullopt));
        QVERIFY(table->timesNs.size() >= 4);
        model.setTable(table);
        QVERIFY(model.rowCount() > 10);

        const int row = model.rowOfType(QStringLiteral("__main__.Request"));
        QVERIFY(row >= 0);
        const auto* r = model.rowAt(row);
        QVERIFY(r->growth.countDelta > 100);
        QVERIFY(r->growth.countPerMinute > 0);
        QVERIFY(r->counts.last() > r->counts.first());
        QCOMPARE(model.index(row, TypeGrowthModel::TypeColumn).data().toString(), QStringLiteral("__main__.Request"));
        QCOMPARE(model.index(row, TypeGrowthModel::TrendColumn).data(SeriesRole).value<QList<qreal>>().size(),
            table->timesNs.size());

        // The same numbers as `gcscope growth --json` (both use analysis::growthOf).
        const auto cli = test::cliJson({ QStringLiteral("growth"), db_ });
        bool found = false;
        for (const auto& t : cli.value(QStringLiteral("types")).toArray()) {
            const auto o = t.toObject();
            if (o.value(QStringLiteral("type")).toString() != QStringLiteral("__main__.Request"))
                continue;
            found = true;
            QCOMPARE(o.value(QStringLiteral("count_delta")).toInteger(), r->growth.countDelta);
            QCOMPARE(o.value(QStringLiteral("size_delta")).toInteger(), r->growth.sizeDelta);
            QVERIFY(std::abs(o.value(QStringLiteral("count_per_minute")).toDouble() - r->growth.countPerMinute) < 1e-6);
        }
        QVERIFY(found);
        QCOMPARE(cli.value(QStringLiteral("censuses")).toInt(), table->timesNs.size());
    }

    void givenTheTypesView_whenLiveDataArrives_thenSortSelectionAndChartSurvive()
    {
        DocumentContext context;
        TypesView view(&context);
        QAbstractItemModelTester tester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1280, 800);
        view.show();
        QSignalSpy loaded(&view, &TypesView::loaded);
        context.setDatabasePath(db_);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1; }));

        view.table()->sortByColumn(TypeGrowthModel::CountDeltaColumn, Qt::DescendingOrder);
        view.selectType(QStringLiteral("__main__.Request"));
        QCOMPARE(view.selectedType(), QStringLiteral("__main__.Request"));
        auto* series = qobject_cast<QLineSeries*>(view.chart()->chart()->series().value(0));
        QVERIFY(series);
        QVERIFY(series->count() >= 4);
        QCOMPARE(view.chart()->chart()->title(), QStringLiteral("__main__.Request"));

        // What a live recording's controller does after each commit, several times in a row.
        context.setLive(true);
        for (int i = 0; i < 3; ++i)
            context.notifyDataAppended();
        QVERIFY(test::waitFor([&] { return loaded.count() >= 2; }));
        QCOMPARE(view.selectedType(), QStringLiteral("__main__.Request"));
        QCOMPARE(view.table()->header()->sortIndicatorSection(), int(TypeGrowthModel::CountDeltaColumn));
        QCOMPARE(view.table()->header()->sortIndicatorOrder(), Qt::DescendingOrder);
        QCOMPARE(view.chart()->chart()->title(), QStringLiteral("__main__.Request"));
        // Sorted by count growth: the leak is near the top.
        bool nearTop = false;
        for (int i = 0; i < 5; ++i)
            nearTop = nearTop || view.proxy()->index(i, 0).data().toString() == QStringLiteral("__main__.Request");
        QVERIFY(nearTop);
        context.setLive(false);
    }

    void givenTheTypesView_whenFiltered_thenOnlyMatchingTypesRemain()
    {
        DocumentContext context;
        context.setDatabasePath(db_);
        TypesView view(&context);
        QVERIFY(test::waitFor([&] { return !view.isLoading() && view.model()->rowCount() > 0; }));
        view.filter()->setText(QStringLiteral("request"));
        QVERIFY(view.proxy()->rowCount() >= 1);
        for (int i = 0; i < view.proxy()->rowCount(); ++i)
            QVERIFY(
                view.proxy()->index(i, 0).data().toString().contains(QStringLiteral("Request"), Qt::CaseInsensitive));
    }

    void givenNoDatabase_whenTheViewIsShown_thenItSaysSoWithoutLoading()
    {
        DocumentContext context;
        TypesView view(&context);
        QVERIFY(!view.isLoading());
        QCOMPARE(view.model()->rowCount(), 0);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsTypesTest)
#include "test_views_types.moc"
