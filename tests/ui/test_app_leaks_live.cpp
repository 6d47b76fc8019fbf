// The Leaks view while recording a real leaking program (tests/targets/leaks/request_cache.py)
// from the GUI: the suspect __main__.Response appears while the recording runs, a heap snapshot
// taken from the GUI gives it its owner __main__.cache._entries, the selection survives the live
// rebuilds, and the view's last word after Stop is the finished session's.
#include "test_app_support.h"

#include "app/MainWindow.h"
#include "app/RecordingController.h"
#include "core/DocumentContext.h"
#include "core/UserMessages.h"
#include "views/LeakSuspectModel.h"
#include "views/LeaksView.h"
#include "views/ModelRoles.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace gcscope;
using namespace gcscope::ui;

class LeaksLiveTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void GIVEN_a_leaking_program_WHEN_recorded_from_the_gui_THEN_the_leaks_view_names_it_while_recording();

private:
    QTemporaryDir dir_;
};

void LeaksLiveTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("gcscope-test"));
    QCoreApplication::setApplicationName(QStringLiteral("gcscope-test"));
    if (auto problem = test::ptraceProblem())
        QSKIP(qPrintable(*problem));
    if (test::pythons().isEmpty())
        QSKIP("no CPython 3.11 here");
    QVERIFY(dir_.isValid());
}

namespace {

// The owner shown for `type` in the view, or "" when the type is not a suspect (yet).
QString ownerOf(const LeaksView& view, const QString& type)
{
    const int row = view.model()->rowOfType(type);
    return row < 0 ? QString() : view.model()->index(row, LeakSuspectModel::OwnerColumn).data().toString();
}

} // namespace

void LeaksLiveTest::GIVEN_a_leaking_program_WHEN_recorded_from_the_gui_THEN_the_leaks_view_names_it_while_recording()
{
    const QString response = QStringLiteral("__main__.Response");
    test::PythonTarget target(
        test::pythons().first(), QStringLiteral("leaks/request_cache.py"), { QStringLiteral("120") });
    QVERIFY(target.waitReady());
    const QString output = dir_.filePath(QStringLiteral("live-leaks.db"));

    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    window.resize(1280, 800);
    window.show();
    auto* controller = window.recording();
    controller->setRefreshInterval(200);
    auto* leaks = window.leaks();
    QVERIFY(leaks);
    leaks->setRefreshInterval(1000);
    QSignalSpy started(controller, &RecordingController::started);
    QSignalSpy snapshots(controller, &RecordingController::snapshotSaved);
    QSignalSpy finished(controller, &RecordingController::finished);
    QSignalSpy rebuilt(leaks, &LeaksView::loaded);
    QStringList headlines; // every headline the view showed, in order
    connect(leaks, &LeaksView::loaded, this, [&] { headlines << leaks->headline()->text(); });

    // WHEN the GUI attaches with a census every half second
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Attach;
    request.pid = target.pid();
    request.outputPath = output;
    request.censusEveryMs = 500;
    window.startRecording(request);
    QTRY_VERIFY2_WITH_TIMEOUT(started.count() == 1 || errors.count() > 0, "attached", 40000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    window.showTab(MainWindow::LeaksTab);

    // THEN while it records, the view first cannot decide, then names the leaking type
    QTRY_VERIFY_WITH_TIMEOUT(leaks->model()->rowOfType(response) >= 0, 60000);
    QCOMPARE(controller->state(), RecordingController::State::Recording);
    QVERIFY(!headlines.isEmpty());
    QVERIFY2(headlines.first().startsWith(QStringLiteral("Cannot decide yet: ")), qPrintable(headlines.join(u'\n')));
    QVERIFY(window.context()->isLive());
    QVERIFY2(leaks->headline()->text().endsWith(QStringLiteral("leak suspect"))
            || leaks->headline()->text().endsWith(QStringLiteral("leak suspects")),
        qPrintable(leaks->headline()->text()));
    QVERIFY(leaks->meta()->text().contains(QStringLiteral("live, updated")));
    QVERIFY(!leaks->report()->snapshotId); // no snapshot yet: no owner to show
    QCOMPARE(ownerOf(*leaks, response), QStringLiteral("—"));
    QVERIFY(!leaks->inspectInstanceButton()->isEnabled());
    QCOMPARE(
        window.tabs()->tabText(MainWindow::LeaksTab), QStringLiteral("&Leaks (%1)").arg(leaks->model()->rowCount()));

    // WHEN the user selects it and takes a heap snapshot
    leaks->selectType(response);
    window.takeSnapshot();
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));

    // THEN, still while recording, its owner appears and the selection stays on it
    QTRY_COMPARE_WITH_TIMEOUT(ownerOf(*leaks, response), QStringLiteral("__main__.cache._entries (dict)"), 60000);
    QCOMPARE(controller->state(), RecordingController::State::Recording);
    QVERIFY(leaks->report()->snapshotId);
    QCOMPARE(*leaks->report()->snapshotId, snapshots.first().first().toLongLong());
    QCOMPARE(leaks->selectedType(), response);
    QVERIFY(leaks->inspectInstanceButton()->isEnabled());

    // THEN rebuilds keep coming as censuses land, with the selection kept
    const int before = rebuilt.count();
    QTRY_VERIFY_WITH_TIMEOUT(rebuilt.count() > before, 30000);
    QCOMPARE(leaks->selectedType(), response);

    // WHEN stopped THEN the finished session's report is the last word
    window.stopRecording();
    QTRY_COMPARE_WITH_TIMEOUT(controller->state(), RecordingController::State::Idle, 30000);
    QCOMPARE(finished.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!leaks->isLoading() && leaks->report() && leaks->report()->target.endedNs, 30000);
    QVERIFY(!leaks->meta()->text().contains(QStringLiteral("live")));
    QCOMPARE(ownerOf(*leaks, response), QStringLiteral("__main__.cache._entries (dict)"));
    QVERIFY(errors.isEmpty());
}

QTEST_MAIN(LeaksLiveTest)
#include "test_app_leaks_live.moc"
