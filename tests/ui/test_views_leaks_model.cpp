// The Leaks view's models and words over hand-made reports (no recording needed): the suspects
// table, the accumulation points and the retention path pass QAbstractItemModelTester through
// report replacements; the cells, sort keys, sparkline series and addresses are the report's; the
// headline follows the verdict and never says "No leak suspects" when the report cannot decide;
// and the view's empty and failed states say what is going on.
#include "core/DocumentContext.h"
#include "report/ReportText.h"
#include "views/AccumulationModel.h"
#include "views/Formatting.h"
#include "views/LeakSuspectModel.h"
#include "views/LeakText.h"
#include "views/LeaksView.h"
#include "views/ModelRoles.h"
#include "views/ReportPathModel.h"

#include "test_views_support.h"

#include <gcscope/storage/Database.h>

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>

using namespace gcscope;
using namespace gcscope::ui;

namespace {

report::PathStep step(std::string type, std::string label, std::optional<std::string> edge, std::uint64_t address)
{
    report::PathStep s;
    s.type = std::move(type);
    s.label = std::move(label);
    s.edge = std::move(edge);
    s.address = address;
    return s;
}

// Three suspects as a recording of request_cache.py would have them, and one accumulation point.
std::shared_ptr<const report::LeakReport> threeSuspects()
{
    auto r = std::make_shared<report::LeakReport>();
    r->target.sessionId = 4;
    r->snapshotId = 9;
    r->snapshots = 3;
    r->series.source = "census";
    r->series.timesNs = { 0, 1'000'000'000, 2'000'000'000, 3'000'000'000 };
    r->verdict.kind = "suspects";

    report::Suspect response;
    response.type = "__main__.Response";
    response.evidence = "trend+snapshots";
    report::SnapshotEvidence evidence;
    evidence.snapshots = 3;
    evidence.confidence = "strong";
    evidence.timesNs = { 0, 1'500'000'000, 3'000'000'000 };
    evidence.newPerInterval = { 600, 640 };
    evidence.kept = 600;
    evidence.newItems = 1240;
    evidence.newRetained = 70'000;
    evidence.ownerReferences = { 100, 700, 1340 };
    evidence.ownerGrowth = 1240;
    response.snapshotEvidence = evidence;
    response.series = { { 0, 100 }, { 1, 700 }, { 2, 1300 }, { 3, 1900 } };
    response.countDelta = 1800;
    response.sizeDelta = 86'400;
    response.countPerMinute = 36'000;
    response.sizePerMinute = 1'728'000;
    response.instances = 1900;
    response.retainedSize = 400'000;
    response.owner = "__main__.cache._entries (dict)";
    response.ownerExpression = "__main__.cache._entries";
    response.ownerType = "dict";
    response.ownerAddress = 0x7f0000002000;
    response.ownerShare = 1.0;
    response.ownerMethod = "dominator";
    response.retentionPath = {
        step("dict", "", "cache", 0x7f0000000100),
        step("__main__.ResponseCache", "", "__dict__", 0x7f0000001000),
        step("dict", "", "_entries", 0x7f0000001800),
        step("dict", "", "/items?rid=3", 0x7f0000002000),
        step("__main__.Response", "", std::nullopt, 0x7f0000003000),
    };
    response.retentionPath.front().root = true;
    response.retentionPath.front().name = "__main__.__dict__";
    response.why = "__main__.Response grew by 1,800 (36,000/min), held by __main__.cache._entries.";
    response.companions = { { "dict", 1800, 180'000, "part of" } };
    r->suspects.push_back(response);

    report::Suspect bound;
    bound.type = "method";
    bound.userClass = "bound methods of __main__.Widget";
    bound.countDelta = 300;
    bound.sizeDelta = 19'200;
    bound.countPerMinute = 6000;
    bound.sizePerMinute = 384'000;
    bound.retainedSize = 20'000;
    bound.why = "method grew by 300.";
    r->suspects.push_back(bound); // trend only, no owner, no path, no series of its own

    report::Suspect longer;
    longer.type = "list";
    longer.sizeOnly = true;
    longer.sizeDelta = 300'000;
    longer.sizePerMinute = 6'000'000;
    longer.retainedSize = 10'000;
    longer.owner = "__main__.audit (list)";
    longer.ownerAddress = 0x7f0000009000;
    r->suspects.push_back(longer);

    report::TypeGrowth methods;
    methods.type = "method";
    methods.counts = { 10, 110, 210, 310 };
    methods.sizes = { 640, 7040, 13440, 19840 };
    report::TypeGrowth lists;
    lists.type = "list";
    lists.counts = { 50, 50, 50, 50 };
    lists.sizes = { 1000, 101'000, 201'000, 301'000 };
    r->growth = { methods, lists };

    report::Accumulation registry;
    registry.owner = "__main__.registry (dict)";
    registry.ownerType = "dict";
    registry.ownerAddress = 0x7f000000a000;
    registry.items = 5000;
    registry.itemType = "__main__.Entry";
    registry.retainedSize = 2'000'000;
    registry.share = 0.42;
    registry.retentionPath
        = { step("dict", "", "registry", 0x7f0000000100), step("dict", "", std::nullopt, 0x7f000000a000) };
    r->accumulations.push_back(registry);
    return r;
}

std::shared_ptr<const report::LeakReport> undecided()
{
    auto r = std::make_shared<report::LeakReport>();
    r->target.sessionId = 2;
    r->verdict.kind = "undecided";
    r->verdict.reason = "2 points of per-type counts and 0 heap snapshots over 4 s: telling steady growth from "
                        "none needs at least 3";
    r->verdict.advice = "record at least 3 s longer (a census every 3.0 s), or take 3 more snapshots "
                        "(--snapshot-every)";
    return r;
}

QString cell(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role).toString();
}

} // namespace

class ViewsLeaksModelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void givenSuspects_whenTheReportIsReplaced_thenTheModelsStayConsistent()
    {
        LeakSuspectModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(SortRole);
        AccumulationModel accumulations;
        ReportPathModel path;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester accumulationTester(
            &accumulations, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester pathTester(&path, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(LeakSuspectModel::ColumnCount));
        const auto first = threeSuspects();
        model.setReport(first);
        accumulations.setReport(first);
        path.setPath(first->suspects[0].retentionPath, first->suspects[0].ownerAddress);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(accumulations.rowCount(), 1);
        QCOMPARE(path.rowCount(), 5);
        proxy.sort(LeakSuspectModel::RetainedColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(TypeNameRole).toString(), QStringLiteral("list"));

        // WHEN the report is replaced by a smaller one, then by none
        auto second = std::make_shared<report::LeakReport>(*first);
        second->suspects.resize(1);
        second->accumulations.clear();
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setReport(second);
        accumulations.setReport(second);
        path.clear();
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(accumulations.rowCount(), 0);
        QCOMPARE(path.rowCount(), 0);
        QCOMPARE(model.rowOfType(QStringLiteral("__main__.Response")), 0);
        QCOMPARE(model.rowOfType(QStringLiteral("method")), -1);
        model.setReport(nullptr);
        accumulations.setReport(nullptr);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.suspectAt(0));
        QVERIFY(!model.index(0, 0).data().isValid());
    }

    void givenSuspects_whenShown_thenTheCellsAndRolesAreTheReports()
    {
        LeakSuspectModel model;
        const auto r = threeSuspects();
        model.setReport(r);

        // The leak with an owner, a path and snapshot evidence.
        QCOMPARE(cell(model, 0, LeakSuspectModel::SuspectColumn), QStringLiteral("__main__.Response"));
        QCOMPARE(cell(model, 0, LeakSuspectModel::EvidenceColumn), QStringLiteral("trend + snapshots (strong)"));
        QCOMPARE(cell(model, 0, LeakSuspectModel::CountDeltaColumn), formatSignedCount(1800));
        QCOMPARE(cell(model, 0, LeakSuspectModel::CountRateColumn), formatRate(36'000, false));
        QCOMPARE(cell(model, 0, LeakSuspectModel::SizeDeltaColumn), formatSignedBytes(86'400));
        QCOMPARE(cell(model, 0, LeakSuspectModel::SizeRateColumn), formatRate(1'728'000, true));
        QCOMPARE(cell(model, 0, LeakSuspectModel::RetainedColumn), formatBytes(400'000));
        QCOMPARE(cell(model, 0, LeakSuspectModel::OwnerColumn), QStringLiteral("__main__.cache._entries (dict)"));
        QCOMPARE(model.index(0, LeakSuspectModel::OwnerColumn).data(Qt::ToolTipRole).toString(),
            QStringLiteral("__main__.cache._entries (dict), holds all of the new ones (every path to them passes "
                           "through it)"));
        QCOMPARE(cell(model, 0, LeakSuspectModel::SuspectColumn, Qt::ToolTipRole),
            QString::fromStdString(r->suspects[0].why));
        QCOMPARE(model.index(0, LeakSuspectModel::SuspectColumn).data(TypeNameRole).toString(),
            QStringLiteral("__main__.Response"));
        QCOMPARE(model.index(0, 0).data(AddressRole).value<quint64>(), quint64(0x7f0000003000));
        QCOMPARE(model.index(0, LeakSuspectModel::RetainedColumn).data(SortRole).toULongLong(), 400'000ull);
        QCOMPARE(model.index(0, LeakSuspectModel::CountDeltaColumn).data(SortRole).toLongLong(), 1800ll);
        // The suspect's own series comes first.
        QCOMPARE(model.index(0, LeakSuspectModel::TrendColumn).data(SeriesRole).value<QList<qreal>>(),
            (QList<qreal> { 100, 700, 1300, 1900 }));
        QVERIFY(!model.index(0, LeakSuspectModel::TrendColumn).data(Qt::DisplayRole).isValid());
        QCOMPARE(model.index(0, LeakSuspectModel::CountDeltaColumn).data(Qt::TextAlignmentRole).value<Qt::Alignment>(),
            Qt::AlignRight | Qt::AlignVCenter);

        // No series of its own: its type's counts; no owner, no path: a dash and no address.
        QCOMPARE(cell(model, 1, LeakSuspectModel::SuspectColumn),
            QStringLiteral("method (bound methods of __main__.Widget)"));
        QCOMPARE(cell(model, 1, LeakSuspectModel::EvidenceColumn), QStringLiteral("trend"));
        QCOMPARE(model.index(1, LeakSuspectModel::TrendColumn).data(SeriesRole).value<QList<qreal>>(),
            (QList<qreal> { 10, 110, 210, 310 }));
        QCOMPARE(cell(model, 1, LeakSuspectModel::OwnerColumn), QStringLiteral("—"));
        QCOMPARE(model.index(1, LeakSuspectModel::OwnerColumn).data(Qt::ToolTipRole).toString(),
            QStringLiteral("no single owner"));
        QVERIFY(!model.index(1, 0).data(AddressRole).isValid());

        // Size only: its type's sizes, no count rate.
        QCOMPARE(model.index(2, LeakSuspectModel::TrendColumn).data(SeriesRole).value<QList<qreal>>(),
            (QList<qreal> { 1000, 101'000, 201'000, 301'000 }));
        QCOMPARE(cell(model, 2, LeakSuspectModel::CountRateColumn), QStringLiteral("—"));

        // Without a snapshot nothing can be inspected and nothing retained is known.
        auto noSnapshot = std::make_shared<report::LeakReport>(*r);
        noSnapshot->snapshotId.reset();
        model.setReport(noSnapshot);
        QCOMPARE(cell(model, 0, LeakSuspectModel::RetainedColumn), QStringLiteral("—"));
        QVERIFY(!model.index(0, 0).data(AddressRole).isValid());

        for (int column = 0; column < LeakSuspectModel::ColumnCount; ++column)
            QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
    }

    void givenARetentionPath_whenShown_thenEachStepHasItsReferenceTypeAndAddress()
    {
        const auto r = threeSuspects();
        ReportPathModel path;
        path.setPath(r->suspects[0].retentionPath, r->suspects[0].ownerAddress);
        QCOMPARE(cell(path, 0, ReportPathModel::ReferenceColumn), QStringLiteral("root"));
        QCOMPARE(cell(path, 0, ReportPathModel::LabelColumn), QStringLiteral("__main__.__dict__"));
        QCOMPARE(cell(path, 1, ReportPathModel::ReferenceColumn), QStringLiteral(".cache"));
        QCOMPARE(cell(path, 2, ReportPathModel::ReferenceColumn), QStringLiteral(".__dict__"));
        QCOMPARE(cell(path, 3, ReportPathModel::ReferenceColumn), QStringLiteral("._entries"));
        QCOMPARE(cell(path, 4, ReportPathModel::ReferenceColumn), QStringLiteral("['/items?rid=3']"));
        QCOMPARE(cell(path, 4, ReportPathModel::TypeColumn), QStringLiteral("__main__.Response"));
        QCOMPARE(cell(path, 4, ReportPathModel::AddressColumn), QStringLiteral("0x7f0000003000"));
        QCOMPARE(path.index(4, 0).data(AddressRole).value<quint64>(), quint64(0x7f0000003000));
        // The owner and the instance are highlighted, nothing else.
        QList<bool> highlighted;
        for (int row = 0; row < path.rowCount(); ++row)
            highlighted << path.index(row, 0).data(HighlightRole).toBool();
        QCOMPARE(highlighted, (QList<bool> { false, false, false, true, true }));
    }

    void givenAnAccumulationPoint_whenShown_thenItIsNamedWithItsShare()
    {
        AccumulationModel model;
        model.setReport(threeSuspects());
        QCOMPARE(cell(model, 0, AccumulationModel::OwnerColumn), QStringLiteral("__main__.registry (dict)"));
        QCOMPARE(cell(model, 0, AccumulationModel::ItemsColumn), formatCount(5000));
        QCOMPARE(cell(model, 0, AccumulationModel::ItemTypeColumn), QStringLiteral("__main__.Entry"));
        QCOMPARE(cell(model, 0, AccumulationModel::RetainedColumn), formatBytes(2'000'000));
        QCOMPARE(cell(model, 0, AccumulationModel::ShareColumn), QStringLiteral("42.0 %"));
        QCOMPARE(model.index(0, 0).data(AddressRole).value<quint64>(), quint64(0x7f000000a000));
        QVERIFY(cell(model, 0, AccumulationModel::OwnerColumn, Qt::ToolTipRole).contains(QStringLiteral("registry")));
    }

    void givenEachVerdict_whenWorded_thenTheHeadlineFollowsIt()
    {
        const auto suspects = threeSuspects();
        QCOMPARE(leaks::headline(*suspects), QStringLiteral("3 leak suspects"));
        QCOMPARE(leaks::toneOf(*suspects), leaks::Tone::Bad);

        const auto thin = undecided();
        const QString text = leaks::headline(*thin);
        QVERIFY2(text.startsWith(QStringLiteral("Cannot decide yet: ")), qPrintable(text));
        QVERIFY(text.contains(QString::fromStdString(thin->verdict.reason)));
        QVERIFY(text.contains(QString::fromStdString(thin->verdict.advice)));
        QVERIFY(!text.contains(QStringLiteral("No leak suspects")));
        QCOMPARE(leaks::toneOf(*thin), leaks::Tone::Warning);
        const QString details = leaks::verdictDetailsHtml(*thin);
        QVERIFY(details.contains(QStringLiteral("To decide:")));
        QVERIFY(!details.contains(QStringLiteral("No type grew steadily")));

        report::LeakReport none;
        none.verdict.kind = "no_steady_growth";
        QCOMPARE(leaks::headline(none), QStringLiteral("No leak suspects"));
        QCOMPARE(leaks::toneOf(none), leaks::Tone::Good);
    }

    void givenASuspect_whenDetailed_thenWhyOwnerEvidenceAndCompanionsAreThere()
    {
        const auto r = threeSuspects();
        QTextBrowser browser;
        browser.setHtml(leaks::suspectDetailsHtml(*r, r->suspects[0]));
        const QString text = browser.toPlainText();
        QVERIFY2(text.contains(QString::fromStdString(r->suspects[0].why)), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("__main__.cache._entries (dict), holds all of the new ones")));
        // The shared sentence the reports print for the evidence, then the numbers it leaves out.
        QVERIFY(text.contains(QString::fromStdString(report::evidenceSummary(r->suspects[0]))));
        QVERIFY(text.contains(QStringLiteral("strong evidence")));
        QVERIFY(text.contains(QStringLiteral("new per interval, oldest first: 600, 640")));
        QVERIFY(text.contains(QStringLiteral("the new ones retain %1").arg(formatBytes(70'000))));
        QVERIFY(text.contains(QStringLiteral("100 → 700 → %1").arg(formatCount(1340))));
        QVERIFY(text.contains(QStringLiteral("dict (part of, +1,800)")));
        QVERIFY(text.contains(QStringLiteral("in snapshot 9")));

        // Fields the report leaves empty leave no empty rows.
        browser.setHtml(leaks::suspectDetailsHtml(*r, r->suspects[1]));
        const QString bare = browser.toPlainText();
        QVERIFY(bare.contains(QStringLiteral("no single owner")));
        QVERIFY(!bare.contains(QStringLiteral("new per interval")));
        QVERIFY(!bare.contains(QStringLiteral("Grows with it")));
    }

    void givenNoFile_whenShown_thenTheViewSaysSo()
    {
        DocumentContext context;
        LeaksView view(&context);
        QCOMPARE(view.state(), LeaksView::State::NoFile);
        QCOMPARE(view.headline()->text(), QStringLiteral("No recording open."));
        QVERIFY(!view.inspectInstanceButton()->isEnabled());
        QVERIFY(!view.inspectOwnerButton()->isEnabled());
    }

    void givenAFileWithoutSessions_whenShown_thenItSaysSo()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("empty.db"));
        storage::Database::openForWriting(path.toStdString()).close(); // the schema, nothing recorded
        DocumentContext context;
        LeaksView view(&context);
        QSignalSpy loaded(&view, &LeaksView::loaded);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] { return loaded.count() == 1 && !view.isLoading(); }));
        QCOMPARE(view.state(), LeaksView::State::NoSession);
        QCOMPARE(view.headline()->text(), QStringLiteral("This file holds no recording sessions."));
        QVERIFY(!view.report());
    }

    void givenAFileThatIsNoRecording_whenShown_thenTheFailureIsOneLine()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("notes.db"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a gcscope recording\n");
        }
        DocumentContext context;
        LeaksView view(&context);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] { return view.state() == LeaksView::State::Failed; }));
        QCOMPARE(view.headline()->text(), QStringLiteral("Could not build the leak report."));
        QVERIFY2(view.errorText().contains(path), qPrintable(view.errorText()));
        QVERIFY(!view.errorText().contains(QLatin1Char('\n')));
        QCOMPARE(view.model()->rowCount(), 0);

        context.setDatabasePath({});
        QCOMPARE(view.state(), LeaksView::State::NoFile);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsLeaksModelTest)
#include "test_views_leaks_model.moc"
