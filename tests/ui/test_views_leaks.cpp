// The Leaks view over real recordings (test_views_fixtures.py): request_cache.py's leak is named —
// __main__.Response held by __main__.cache._entries — with the headline and suspects `gcscope
// report` writes; a recording too short to decide, or one snapshot alone, says it cannot decide and
// what to do, never "No leak suspects" (one snapshot shows its largest accumulation points); and
// "Inspect Instance" switches the main window to the Inspector on the suspect's representative
// instance, "Inspect Owner" on its owner.
#include "app/MainWindow.h"
#include "core/DocumentContext.h"
#include "core/UserMessages.h"
#include "views/AccumulationModel.h"
#include "views/BackgroundJob.h"
#include "views/InspectorView.h"
#include "views/LeakSuspectModel.h"
#include "views/LeaksView.h"
#include "views/ModelRoles.h"
#include "views/ReportPathModel.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotCache.h"

#include "test_views_support.h"

#include "report/CyclicGarbage.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <sqlite3.h>

#include <QAbstractItemModelTester>
#include <QFileInfo>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>

using namespace gcscope::ui;

class ViewsLeaksTest : public QObject {
    Q_OBJECT
private:
    QString cache_, undecided_, articles_;
    QTemporaryDir dir_;

    static void open(DocumentContext& context, LeaksView& view, const QString& path)
    {
        QSignalSpy loaded(&view, &LeaksView::loaded);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !view.isLoading(); }));
    }

    // `gcscope report FILE --format json`, parsed.
    QJsonObject cliReport(const QString& db)
    {
        const QString out = dir_.filePath(QFileInfo(db).completeBaseName() + QStringLiteral(".json"));
        QProcess cli;
        cli.start(QStringLiteral(GCSCOPE_CLI),
            { QStringLiteral("report"), db, QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"),
                out });
        if (!cli.waitForFinished(120'000) || cli.exitCode() != 0) {
            qWarning() << "gcscope report failed:" << cli.readAllStandardError();
            return {};
        }
        QFile f(out);
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        cache_ = test::fixture("request_cache.db", &skip);
        undecided_ = test::fixture("undecided.db", &skip);
        articles_ = test::fixture("articles.db", &skip);
        if (cache_.isEmpty() || undecided_.isEmpty() || articles_.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(dir_.isValid());
        QSettings(QStringLiteral("gcscope"), QStringLiteral("gcscope")).clear();
    }

    void givenTheRequestCacheRecording_whenShown_thenResponseAndItsOwnerAreNamedAsTheCliDoes()
    {
        DocumentContext context;
        LeaksView view(&context);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1280, 800);
        view.show();
        open(context, view, cache_);
        QCOMPARE(view.state(), LeaksView::State::Shown);
        const auto report = view.report();
        QVERIFY(report);

        // THEN the top suspect, its owner and the headline are the CLI's
        const auto cli = cliReport(cache_);
        const auto suspects = cli.value(QStringLiteral("suspects")).toArray();
        QVERIFY(!suspects.isEmpty());
        QCOMPARE(view.model()->rowCount(), suspects.size());
        for (qsizetype i = 0; i < suspects.size(); ++i)
            QCOMPARE(view.model()->index(static_cast<int>(i), 0).data(TypeNameRole).toString(),
                suspects[i].toObject().value(QStringLiteral("type")).toString());
        const QModelIndex top = view.proxy()->index(0, LeakSuspectModel::SuspectColumn);
        QCOMPARE(top.data(TypeNameRole).toString(), QStringLiteral("__main__.Response"));
        QCOMPARE(top.siblingAtColumn(LeakSuspectModel::OwnerColumn).data().toString(),
            QStringLiteral("__main__.cache._entries (dict)"));
        const auto verdict = cli.value(QStringLiteral("verdict")).toObject();
        QCOMPARE(verdict.value(QStringLiteral("kind")).toString(), QStringLiteral("suspects"));
        QCOMPARE(view.headline()->text(), verdict.value(QStringLiteral("headline")).toString());
        QVERIFY(
            view.meta()->text().contains(QStringLiteral("owners and paths from snapshot %1").arg(*report->snapshotId)));
        QVERIFY(top.siblingAtColumn(LeakSuspectModel::TrendColumn).data(SeriesRole).value<QList<qreal>>().size() >= 3);
        QVERIFY(top.siblingAtColumn(LeakSuspectModel::RetainedColumn).data(SortRole).toULongLong() > 0);

        // THEN the first suspect is selected and detailed: why, owner, the path root -> instance
        QCOMPARE(view.selectedType(), QStringLiteral("__main__.Response"));
        const QString details = view.details()->toPlainText();
        QVERIFY2(details.contains(QStringLiteral("__main__.cache._entries")), qPrintable(details));
        QVERIFY(details.contains(QString::fromStdString(report->suspects[0].why)));
        const auto* path = view.pathModel();
        QVERIFY(path->rowCount() >= 2);
        QCOMPARE(path->index(path->rowCount() - 1, ReportPathModel::TypeColumn).data().toString(),
            QStringLiteral("__main__.Response"));
        QCOMPARE(path->index(0, ReportPathModel::ReferenceColumn).data().toString(), QStringLiteral("root"));
        bool throughEntries = false;
        for (int row = 0; row < path->rowCount(); ++row)
            throughEntries = throughEntries
                || path->index(row, ReportPathModel::ReferenceColumn).data().toString() == QStringLiteral("._entries");
        QVERIFY(throughEntries);
        QVERIFY(view.inspectInstanceButton()->isEnabled());
        QVERIFY(view.inspectOwnerButton()->isEnabled());

        // WHEN rebuilt (F5) THEN the selection stays on the same suspect
        if (view.model()->rowCount() > 1)
            view.table()->setCurrentIndex(view.proxy()->index(1, 0));
        const QString selected = view.selectedType();
        QSignalSpy loaded(&view, &LeaksView::loaded);
        view.reload();
        QVERIFY(test::waitFor([&] { return loaded.count() == 1 && !view.isLoading(); }));
        QCOMPARE(view.selectedType(), selected);
    }

    // A file recorded before schema 8 keeps no garbage summaries: the first report works them out from
    // the earlier snapshots' graphs and keeps them, with the last snapshot's dominator tree, once the
    // views are idle; the next one loads no earlier graph. Keeping while the report still read the
    // file once failed the report ("database is locked"): it must show both times.
    void givenSeveralSnapshotsAndNothingKept_whenShownTwice_thenBothShowAndTheSecondLoadsNoEarlierGraph()
    {
        const QString copy = dir_.filePath(QStringLiteral("keeping.db"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(cache_, copy));
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        {
            sqlite3* raw = nullptr;
            QCOMPARE(sqlite3_open(QFile::encodeName(copy).constData(), &raw), SQLITE_OK);
            QCOMPARE(sqlite3_exec(raw,
                         "DELETE FROM snapshot_garbage; DELETE FROM snapshot_dominator_chunks; "
                         "DELETE FROM snapshot_dominators;",
                         nullptr, nullptr, nullptr),
                SQLITE_OK);
            sqlite3_close(raw);
        }
        const auto snapshots = SnapshotCache::snapshotsIn(copy);
        QVERIFY(snapshots.size() >= 3);
        qputenv("GCSCOPE_KEEP_ANALYSES", "1");
        const auto shown = [&] {
            SnapshotCache::instance().clear();
            DocumentContext context;
            LeaksView view(&context);
            open(context, view, copy);
            return view.state() == LeaksView::State::Shown && view.report();
        };
        const bool first = shown();
        finishKeeping(); // what the first report worked out is in the file now
        const auto made = SnapshotCache::instance().made();
        const bool second = shown();
        const auto madeAgain = SnapshotCache::instance().made() - made;
        qputenv("GCSCOPE_KEEP_ANALYSES", "0");
        SnapshotCache::instance().clear();
        QVERIFY(first);
        QVERIFY(second);
        const auto db = gcscope::storage::Database::openForReading(QFile::encodeName(copy).toStdString());
        for (const auto& s : gcscope::storage::Reader(db).snapshots())
            QCOMPARE(s.garbageRule, std::optional<std::uint32_t>(gcscope::report::kGarbageRule));
        QVERIFY(gcscope::storage::Reader(db).snapshots().back().dominatorRule);
        QCOMPARE(madeAgain, 2u); // the last snapshot's graph and analysis: no earlier graph
    }

    // A big heap's analysis is the most memory gcscope-gui holds: the report's owners and paths
    // must come from the very analysis the Inspector and Cycles views use, not from a second one.
    void givenAReport_whenBuilt_thenItsSnapshotAnalysisIsTheOneTheOtherViewsGet()
    {
        SnapshotCache::instance().clear();
        DocumentContext context;
        LeaksView view(&context);
        open(context, view, cache_);
        QCOMPARE(view.state(), LeaksView::State::Shown);
        const auto report = view.report();
        QVERIFY(report && report->snapshotId);
        // A job that is already cancelled gets only what the cache holds: it cannot make anything.
        struct Cancelled final : JobControl {
            bool cancelled() const override { return true; }
            void progress(int, int, const QString&) const override { }
        } cancelled;
        std::shared_ptr<const SnapshotAnalysis> held;
        try {
            held = SnapshotCache::instance().analysis(cache_, *report->snapshotId, cancelled);
        } catch (const JobCancelled&) {
            QFAIL("the report did not leave its snapshot's analysis in the views' cache");
        }
        QVERIFY(held && held->paths);
        QCOMPARE(held->info.id, *report->snapshotId);
        // Nothing only the other views show was worked out for the report (no other view is open).
        QVERIFY(!held->unreachableFound());
        QVERIFY(!held->typesSummed());
        QVERIFY(!held->cyclesFound());
        // The same owner as the report names, read off the shared analysis.
        QCOMPARE(report->suspects.empty() ? QString() : QString::fromStdString(report->suspects[0].owner),
            QStringLiteral("__main__.cache._entries (dict)"));
    }

    void givenARecordingTooShortToDecide_whenShown_thenTheHeadlineSaysSoAndWhatToDo()
    {
        DocumentContext context;
        LeaksView view(&context);
        view.show();
        open(context, view, undecided_);
        QCOMPARE(view.state(), LeaksView::State::Shown);
        const auto report = view.report();
        QCOMPARE(QString::fromStdString(report->verdict.kind), QStringLiteral("undecided"));
        const QString headline = view.headline()->text();
        QVERIFY2(headline.startsWith(QStringLiteral("Cannot decide yet: ")), qPrintable(headline));
        QVERIFY(headline.contains(QString::fromStdString(report->verdict.advice)));
        QVERIFY(!headline.contains(QStringLiteral("No leak suspects")));
        const QString details = view.details()->toPlainText();
        QVERIFY2(details.contains(QStringLiteral("To decide:")), qPrintable(details));
        QVERIFY(!details.contains(QStringLiteral("No type grew steadily")));
        QCOMPARE(view.model()->rowCount(), 0);
        QVERIFY(!view.inspectInstanceButton()->isEnabled());
    }

    void givenOneSnapshotOnly_whenShown_thenItCannotDecideAndShowsTheAccumulationPoints()
    {
        DocumentContext context;
        LeaksView view(&context);
        QAbstractItemModelTester tester(
            view.accumulationModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1280, 800);
        view.show();
        open(context, view, articles_);
        QCOMPARE(view.state(), LeaksView::State::Shown);
        const QString headline = view.headline()->text();
        QVERIFY2(headline.startsWith(QStringLiteral("Cannot decide yet: ")), qPrintable(headline));
        QVERIFY(!headline.contains(QStringLiteral("No leak suspects")));
        const auto report = view.report();
        QCOMPARE(view.accumulationModel()->rowCount(), static_cast<int>(report->accumulations.size()));
        if (report->accumulations.empty())
            QSKIP("no accumulation point in this snapshot");
        QVERIFY(view.accumulationView()->isVisible());
        QCOMPARE(view.accumulationModel()->index(0, AccumulationModel::OwnerColumn).data().toString(),
            QString::fromStdString(report->accumulations[0].owner));
    }

    void givenASuspect_whenInspectInstanceIsPressed_thenTheInspectorShowsThatObject()
    {
        MainWindow window;
        window.messages()->setDialogsEnabled(false);
        QSignalSpy errors(window.messages(), &UserMessages::errorShown);
        window.resize(1280, 800);
        window.show();
        auto* leaks = window.leaks();
        QVERIFY(leaks);
        auto* inspector = qobject_cast<InspectorView*>(window.tabs()->widget(MainWindow::InspectorTab));
        QVERIFY(inspector);
        QCOMPARE(window.tabs()->tabText(MainWindow::LeaksTab).remove(QRegularExpression(QStringLiteral(" \\(\\d+\\)"))),
            QStringLiteral("&Leaks"));
        QSignalSpy loaded(leaks, &LeaksView::loaded);
        window.openDatabase(cache_);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !leaks->isLoading(); }));
        QVERIFY(errors.isEmpty());
        QCOMPARE(window.tabs()->tabText(MainWindow::LeaksTab),
            QStringLiteral("&Leaks (%1)").arg(leaks->model()->rowCount()));
        window.showTab(MainWindow::LeaksTab);
        leaks->selectType(QStringLiteral("__main__.Response"));
        const auto report = leaks->report();
        const auto& suspect
            = *leaks->model()->suspectAt(leaks->model()->rowOfType(QStringLiteral("__main__.Response")));
        const quint64 instance = suspect.retentionPath.back().address;

        // WHEN Inspect Instance is pressed
        QTest::mouseClick(leaks->inspectInstanceButton(), Qt::LeftButton);

        // THEN the Inspector tab shows that object of the report's snapshot
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::InspectorTab));
        QCOMPARE(window.context()->snapshotId(), report->snapshotId);
        QVERIFY(test::waitFor([&] {
            const auto a = inspector->analysis();
            return a && !inspector->isLoading() && a->info.id == *report->snapshotId
                && inspector->currentObject() != gcscope::analysis::kNoObject
                && a->graph.address[inspector->currentObject()] == instance;
        }));
        QCOMPARE(QString::fromStdString(inspector->analysis()->graph.typeName(inspector->currentObject())),
            QStringLiteral("__main__.Response"));

        // WHEN Inspect Owner is pressed THEN the owner is shown
        window.showTab(MainWindow::LeaksTab);
        QTest::mouseClick(leaks->inspectOwnerButton(), Qt::LeftButton);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::InspectorTab));
        QVERIFY(test::waitFor([&] {
            const auto a = inspector->analysis();
            return a && inspector->currentObject() != gcscope::analysis::kNoObject
                && a->graph.address[inspector->currentObject()] == suspect.ownerAddress;
        }));
        QCOMPARE(QString::fromStdString(inspector->analysis()->graph.typeName(inspector->currentObject())),
            QStringLiteral("dict"));

        // WHEN a suspect is double-clicked THEN its instance is shown again
        window.showTab(MainWindow::LeaksTab);
        const QModelIndex row = leaks->proxy()->mapFromSource(
            leaks->model()->index(leaks->model()->rowOfType(QStringLiteral("__main__.Response")), 0));
        const QPoint at = leaks->table()->visualRect(row).center();
        QTest::mouseClick(leaks->table()->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(leaks->table()->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::InspectorTab));
        QVERIFY(test::waitFor([&] {
            return inspector->currentObject() != gcscope::analysis::kNoObject
                && inspector->analysis()->graph.address[inspector->currentObject()] == instance;
        }));

        // WHEN the owner is shown and the user presses Enter on the suspect THEN its instance again
        QTest::mouseClick(leaks->inspectOwnerButton(), Qt::LeftButton);
        QVERIFY(test::waitFor(
            [&] { return inspector->analysis()->graph.address[inspector->currentObject()] == suspect.ownerAddress; }));
        window.showTab(MainWindow::LeaksTab);
        leaks->table()->setFocus();
        QTest::keyClick(leaks->table(), Qt::Key_Return);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::InspectorTab));
        QVERIFY(test::waitFor(
            [&] { return inspector->analysis()->graph.address[inspector->currentObject()] == instance; }));
        QVERIFY(errors.isEmpty());
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsLeaksTest)
#include "test_views_leaks.moc"
