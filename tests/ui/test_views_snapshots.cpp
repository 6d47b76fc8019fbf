// The snapshots view over a real recording of the leaking demo: the list matches `gcscope info`,
// the comparison (first vs last by default) has exactly the deltas `gcscope diff --json` prints,
// new - freed = Δ count, choosing a snapshot moves the document's selection, and double-clicking a
// type asks the inspector for it.
#include "core/DocumentContext.h"
#include "views/ModelRoles.h"
#include "views/SnapshotCache.h"
#include "views/SnapshotComparisonModel.h"
#include "views/SnapshotListModel.h"
#include "views/SnapshotsView.h"

#include "test_views_support.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTreeView>

#include <map>

using namespace gcscope::ui;

class ViewsSnapshotsTest : public QObject {
    Q_OBJECT
private:
    QString db_;

    static void waitIdle(SnapshotsView& view)
    {
        QVERIFY(test::waitFor([&] { return !view.isLoading() && view.comparisonModel()->comparison(); }));
    }

    // The comparison model's rows against `gcscope diff --from F --to T --json`.
    void checkAgainstCli(const SnapshotComparison& c)
    {
        QStringList args { QStringLiteral("diff"), db_, QStringLiteral("--to"), QString::number(c.toId) };
        if (c.fromId)
            args << QStringLiteral("--from") << QString::number(*c.fromId);
        const auto cli = test::cliJson(args);
        QCOMPARE(cli.value(QStringLiteral("to")).toInteger(), c.toId);
        const auto types = cli.value(QStringLiteral("types")).toArray();
        QCOMPARE(static_cast<std::size_t>(types.size()), c.rows.size());
        for (qsizetype i = 0; i < types.size(); ++i) {
            const auto o = types[i].toObject();
            const auto& r = c.rows[static_cast<std::size_t>(i)]; // same order: by size growth
            QCOMPARE(o.value(QStringLiteral("type")).toString().toStdString(), r.type);
            QCOMPARE(o.value(QStringLiteral("count_from")).toInteger(), static_cast<qint64>(r.countFrom));
            QCOMPARE(o.value(QStringLiteral("count_to")).toInteger(), static_cast<qint64>(r.countTo));
            QCOMPARE(o.value(QStringLiteral("count_delta")).toInteger(), r.countDelta);
            QCOMPARE(o.value(QStringLiteral("size_delta")).toInteger(), r.sizeDelta);
            QCOMPARE(static_cast<std::int64_t>(r.added) - static_cast<std::int64_t>(r.freed), r.countDelta);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        db_ = test::fixture("leaky.db", &skip);
        if (db_.isEmpty())
            QSKIP(qPrintable(skip));
    }

    void givenTheLeakyDemo_whenTheViewOpens_thenFirstIsComparedWithLastLikeGcscopeDiff()
    {
        DocumentContext context;
        SnapshotsView view(&context);
        QAbstractItemModelTester listTester(view.listModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester compareTester(
            view.comparisonModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            view.comparisonProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1280, 800);
        view.show();
        context.setDatabasePath(db_);
        waitIdle(view);

        const auto info = test::cliJson({ QStringLiteral("info"), db_ });
        const auto snapshots = info.value(QStringLiteral("snapshots")).toArray();
        QVERIFY(snapshots.size() >= 3);
        QCOMPARE(view.listModel()->rowCount(), snapshots.size());
        const auto firstId = snapshots.first().toObject().value(QStringLiteral("id")).toInteger();
        const auto lastId = snapshots.last().toObject().value(QStringLiteral("id")).toInteger();
        QCOMPARE(context.snapshotId(), std::optional<qint64>(lastId));
        QCOMPARE(context.compareFromSnapshotId(), std::optional<qint64>(firstId));

        const auto* c = view.comparisonModel()->comparison();
        QCOMPARE(c->toId, lastId);
        QCOMPARE(c->fromId, std::optional<std::int64_t>(firstId));
        checkAgainstCli(*c);

        // The leak: many new Requests, (almost) none freed.
        bool sawRequest = false;
        for (const auto& r : c->rows)
            if (r.type == "__main__.Request") {
                sawRequest = true;
                QVERIFY(r.added > 100);
                QVERIFY(r.countDelta > 100);
            }
        QVERIFY(sawRequest);

        // Unchanged types are hidden unless asked for; the filter narrows by name.
        const int changed = view.comparisonProxy()->rowCount();
        view.showUnchanged()->setChecked(true);
        QVERIFY(view.comparisonProxy()->rowCount() >= changed);
        QCOMPARE(view.comparisonProxy()->rowCount(), view.comparisonModel()->rowCount());
        view.filter()->setText(QStringLiteral("__main__.Req"));
        QCOMPARE(view.comparisonProxy()->rowCount(), 1);
    }

    void givenTheList_whenAnotherSnapshotIsChosen_thenTheDocumentAndComparisonFollow()
    {
        DocumentContext context;
        SnapshotsView view(&context);
        view.show();
        context.setDatabasePath(db_);
        waitIdle(view);
        QSignalSpy changed(&context, &DocumentContext::snapshotChanged);

        // Choose the second snapshot in the list: it becomes current, compared with the first.
        const QModelIndex second = view.listView()->model()->index(1, 0);
        view.listView()->setCurrentIndex(second);
        QVERIFY(changed.count() >= 1);
        const auto secondId = view.listModel()->snapshots()[1].id;
        const auto firstId = view.listModel()->snapshots()[0].id;
        QCOMPARE(context.snapshotId(), std::optional<qint64>(secondId));
        QCOMPARE(context.compareFromSnapshotId(), std::optional<qint64>(firstId));
        QVERIFY(test::waitFor([&] {
            const auto* c = view.comparisonModel()->comparison();
            return !view.isLoading() && c && c->toId == secondId;
        }));
        checkAgainstCli(*view.comparisonModel()->comparison());

        // Another part of the application picks snapshots: the view follows without echoing back.
        const auto lastId = view.listModel()->snapshots().back().id;
        changed.clear();
        context.setSnapshots(lastId, std::nullopt);
        QCOMPARE(changed.count(), 1);
        QVERIFY(test::waitFor([&] {
            const auto* c = view.comparisonModel()->comparison();
            return !view.isLoading() && c && c->toId == lastId && !c->fromId;
        }));
        QCOMPARE(changed.count(), 1);
        // Compared with nothing (the CLI always compares with the first): every object is new.
        for (const auto& r : view.comparisonModel()->comparison()->rows) {
            QCOMPARE(r.added, r.countTo);
            QCOMPARE(r.freed, 0u);
            QCOMPARE(r.countDelta, static_cast<std::int64_t>(r.countTo));
            QCOMPARE(r.sizeDelta, static_cast<std::int64_t>(r.sizeTo));
        }
    }

    void givenTheComparison_whenATypeIsDoubleClicked_thenTheInspectorIsAskedForIt()
    {
        DocumentContext context;
        SnapshotsView view(&context);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        context.setDatabasePath(db_);
        waitIdle(view);
        QSignalSpy asked(&context, &DocumentContext::inspectTypeRequested);
        view.filter()->setText(QStringLiteral("__main__.Request"));
        auto* table = view.comparisonView();
        const QModelIndex row = table->model()->index(0, 0);
        QVERIFY(row.isValid());
        QTest::qWait(50); // the view lays its rows out lazily
        QVERIFY(!table->visualRect(row).isEmpty());
        const QPoint at = table->visualRect(row).center();
        // A real double click: press and release, then the double-click event (QTest sends only the last).
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.first().first().toString(), QStringLiteral("__main__.Request"));
    }

    // A hidden Snapshots tab does not load two big snapshots for a comparison nobody sees (at 10M
    // objects that was 3 GB and seconds taken from the Leaks view on screen): it compares them once
    // it is shown.
    void givenBigSnapshotsAndTheViewHidden_whenTheFileOpens_thenTheyAreComparedOnlyOnceItIsShown()
    {
        SnapshotCache::instance().clear();
        SnapshotsView::setHiddenCompareLimit(0); // the fixture's snapshots count as big
        const struct Restore {
            ~Restore() { SnapshotsView::setHiddenCompareLimit(2'000'000); }
        } restore;
        DocumentContext context;
        SnapshotsView view(&context);
        view.resize(1000, 700);
        const auto made = SnapshotCache::instance().made();
        context.setDatabasePath(db_);
        QVERIFY(test::waitFor([&] { return !view.listModel()->snapshots().empty() && !view.isLoading(); }));
        QTest::qWait(200);
        QVERIFY(view.comparisonWaitsToBeShown());
        QVERIFY(!view.comparisonModel()->comparison());
        QCOMPARE(SnapshotCache::instance().made(), made); // no graph loaded
        QSignalSpy arrived(&view, &SnapshotsView::comparisonLoaded);
        view.show();
        QVERIFY(test::waitFor([&] { return arrived.count() == 1 && !view.isLoading(); }));
        QVERIFY(!view.comparisonWaitsToBeShown());
        const auto* c = view.comparisonModel()->comparison();
        QVERIFY(c);
        QCOMPARE(c->toId, view.listModel()->snapshots().back().id);
        QVERIFY(SnapshotCache::instance().made() > made);
    }

    void givenAComparisonUnderWay_whenTheDocumentChangesAgain_thenOnlyTheLatestArrives()
    {
        DocumentContext context;
        SnapshotsView view(&context);
        context.setDatabasePath(db_);
        waitIdle(view);
        const auto& all = view.listModel()->snapshots();
        QSignalSpy arrived(&view, &SnapshotsView::comparisonLoaded);
        // Three choices in a row, faster than any load: the first two are superseded.
        context.setSnapshots(all[1].id, all[0].id);
        context.setSnapshots(all[2].id, all[0].id);
        context.setSnapshots(all.back().id, all[1].id);
        QVERIFY(test::waitFor([&] { return !view.isLoading(); }));
        QTest::qWait(200);
        QCOMPARE(arrived.count(), 1);
        QCOMPARE(view.comparisonModel()->comparison()->toId, all.back().id);
        QCOMPARE(view.comparisonModel()->comparison()->fromId, std::optional<std::int64_t>(all[1].id));
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsSnapshotsTest)
#include "test_views_snapshots.moc"
