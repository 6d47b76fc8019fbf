// Live recording from the GUI against real targets: attach from the main window, samples arrive in
// the dashboard while recording, "Take snapshot" adds a snapshot, Stop detaches and leaves the
// target running with gc.callbacks empty. A refused attach shows its one-line reason and leaves no
// file. Launch runs a script like `gcscope run`, and Stop ends it.
#include "test_app_support.h"

#include "app/MainWindow.h"
#include "app/RecordingController.h"
#include "core/DocumentContext.h"
#include "core/UserMessages.h"
#include "dashboard/DashboardView.h"
#include "dashboard/SummaryStrip.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <QAction>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gcscope;
using namespace gcscope::ui;

class RecordingTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void
    GIVEN_a_running_target_WHEN_attached_snapshotted_and_stopped_from_the_gui_THEN_it_is_recorded_and_left_intact_data();
    void
    GIVEN_a_running_target_WHEN_attached_snapshotted_and_stopped_from_the_gui_THEN_it_is_recorded_and_left_intact();
    void GIVEN_a_process_that_is_not_python_WHEN_attached_THEN_the_reason_shows_and_no_file_is_left();
    void GIVEN_a_script_WHEN_launched_THEN_it_is_recorded_until_it_exits();
    void GIVEN_a_launched_script_WHEN_stopped_THEN_the_script_ends_too();
    void GIVEN_the_no_strings_setting_WHEN_a_snapshot_is_taken_THEN_string_contents_stay_out_data();
    void GIVEN_the_no_strings_setting_WHEN_a_snapshot_is_taken_THEN_string_contents_stay_out();

private:
    QTemporaryDir dir_;
};

void RecordingTest::initTestCase()
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

void RecordingTest::
    GIVEN_a_running_target_WHEN_attached_snapshotted_and_stopped_from_the_gui_THEN_it_is_recorded_and_left_intact_data()
{
    QTest::addColumn<QString>("python");
    for (const QString& python : test::pythons())
        QTest::newRow(qPrintable(python)) << python;
}

void RecordingTest::
    GIVEN_a_running_target_WHEN_attached_snapshotted_and_stopped_from_the_gui_THEN_it_is_recorded_and_left_intact()
{
    QFETCH(QString, python);
    test::PythonTarget target(python, QStringLiteral("busy.py"));
    QVERIFY(target.waitReady());
    const QString output = dir_.filePath(QStringLiteral("live-%1.db").arg(target.pid()));

    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    window.show();
    auto* controller = window.recording();
    controller->setRefreshInterval(200);
    QSignalSpy started(controller, &RecordingController::started);
    QSignalSpy finished(controller, &RecordingController::finished);
    QSignalSpy snapshots(controller, &RecordingController::snapshotSaved);

    // WHEN attached
    window.attachTo(target.pid(), output);
    QTRY_VERIFY2_WITH_TIMEOUT(started.count() == 1 || errors.count() > 0, "attached", 40000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    QCOMPARE(controller->state(), RecordingController::State::Recording);
    QVERIFY(window.context()->isLive());
    QCOMPARE(window.context()->databasePath(), output);
    QVERIFY(!window.showingStartPage());

    // THEN samples arrive in the dashboard while recording
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->series().totals().samples >= 5, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->series().totals().gcEvents() > 0, 20000);
    QCOMPARE(window.dashboard()->series().session()->pid, target.pid());
    QCOMPARE(window.dashboard()->summary()->value(QStringLiteral("summaryStatus")), QStringLiteral("● recording"));
    auto* status = window.findChild<QLabel*>(QStringLiteral("recordingStatus"));
    QVERIFY(status);
    QTRY_VERIFY(status->text().contains(QStringLiteral("PID %1").arg(target.pid())));
    const auto samplesBefore = window.dashboard()->series().totals().samples;
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->series().totals().samples > samplesBefore, 10000); // it keeps growing

    // WHEN a snapshot is taken THEN the file has it
    window.takeSnapshot();
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    {
        const auto db = storage::Database::openForReading(output.toStdString());
        const auto all = storage::Reader(db).snapshots();
        QCOMPARE(all.size(), std::size_t(1));
        QCOMPARE(all.front().id, snapshots.first().first().toLongLong());
        QCOMPARE(all.front().sessionId, std::optional<std::int64_t>(window.dashboard()->series().session()->id));
        QVERIFY(all.front().objects > 1000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(
        window.dashboard()->summary()->value(QStringLiteral("summarySnapshots")), QStringLiteral("1"), 10000);

    // WHEN stopped
    window.stopRecording();
    QTRY_COMPARE_WITH_TIMEOUT(controller->state(), RecordingController::State::Idle, 30000);
    QCOMPARE(finished.count(), 1);
    const auto ended = finished.first().first().value<RecordingEnded>();
    QVERIFY2(ended.error.isEmpty(), qPrintable(ended.error));
    QVERIFY(ended.complete);
    QCOMPARE(ended.snapshots, quint64(1));
    QVERIFY(!window.context()->isLive());
    QTRY_COMPARE_WITH_TIMEOUT(
        window.dashboard()->summary()->value(QStringLiteral("summaryStatus")), QStringLiteral("complete"), 10000);

    // THEN the target keeps running, with nothing of ours left in gc.callbacks
    QVERIFY(target.running());
    const auto first = QJsonDocument::fromJson(target.nextStatus()).object();
    const auto second = QJsonDocument::fromJson(target.nextStatus()).object();
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    QCOMPARE(second.value(QStringLiteral("callbacks")).toInt(-1), 0);
    QVERIFY(second.value(QStringLiteral("n")).toInt() > first.value(QStringLiteral("n")).toInt());

    const auto db = storage::Database::openForReading(output.toStdString());
    const storage::Reader reader(db);
    const auto sessions = reader.sessions();
    QCOMPARE(sessions.size(), std::size_t(1));
    QVERIFY(sessions.front().complete);
    QCOMPARE(sessions.front().mode, storage::SessionMode::Attach);
    QCOMPARE(static_cast<quint64>(reader.sampleCount(sessions.front().id)), ended.samples);
}

void RecordingTest::GIVEN_a_process_that_is_not_python_WHEN_attached_THEN_the_reason_shows_and_no_file_is_left()
{
    QProcess sleeper;
    sleeper.start(QStringLiteral("sleep"), { QStringLiteral("60") });
    QVERIFY(sleeper.waitForStarted());
    const QString output = dir_.filePath(QStringLiteral("refused.db"));

    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    window.attachTo(sleeper.processId(), output);
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 1, 30000);
    const auto message = errors.first().first().value<UserMessage>();
    QCOMPARE(message.title, QStringLiteral("Cannot attach"));
    QVERIFY2(message.text.contains(QString::number(sleeper.processId())), qPrintable(message.text));
    QVERIFY(!message.text.contains(QLatin1Char('\n')));
    QTRY_COMPARE(window.recording()->state(), RecordingController::State::Idle);
    QVERIFY(!QFile::exists(output));
    QVERIFY(window.showingStartPage());
    QCOMPARE(sleeper.state(), QProcess::Running); // left alone
    sleeper.kill();
    sleeper.waitForFinished();
}

void RecordingTest::GIVEN_a_script_WHEN_launched_THEN_it_is_recorded_until_it_exits()
{
    const QString output = dir_.filePath(QStringLiteral("launched.db"));
    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    QSignalSpy finished(window.recording(), &RecordingController::finished);
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Launch;
    request.command
        = { test::pythons().first(), QStringLiteral(GCSCOPE_SOURCE_DIR "/tests/targets/busy.py"), QStringLiteral("3") };
    request.outputPath = output;
    request.snapshotAtEnd = true; // the Launch dialog's default: the script's exit waits for it
    window.startRecording(request);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    const auto ended = finished.first().first().value<RecordingEnded>();
    QVERIFY(ended.complete);
    QVERIFY2(
        ended.endReason.startsWith(QStringLiteral("the command exited with status 0")), qPrintable(ended.endReason));
    QCOMPARE(ended.commandStatus, QStringLiteral("exited with status 0"));
    QVERIFY(ended.samples > 0);
    QCOMPARE(ended.snapshots, quint64(1));
    const auto db = storage::Database::openForReading(output.toStdString());
    QCOMPARE(storage::Reader(db).snapshots().size(), std::size_t(1));
    const auto sessions = storage::Reader(db).sessions();
    QCOMPARE(sessions.size(), std::size_t(1));
    QCOMPARE(sessions.front().mode, storage::SessionMode::Run);
}

void RecordingTest::GIVEN_a_launched_script_WHEN_stopped_THEN_the_script_ends_too()
{
    const QString output = dir_.filePath(QStringLiteral("launched-stopped.db"));
    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    QSignalSpy started(window.recording(), &RecordingController::started);
    QSignalSpy finished(window.recording(), &RecordingController::finished);
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Launch;
    request.command = { test::pythons().first(), QStringLiteral(GCSCOPE_SOURCE_DIR "/tests/targets/sleeper.py"),
        QStringLiteral("0.1") };
    request.outputPath = output;
    window.startRecording(request);
    QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    const qint64 pid = started.first().first().value<RecordingStarted>().pid;
    QVERIFY(started.first().first().value<RecordingStarted>().launched);
    QTest::qWait(500);
    window.stopRecording();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
    const auto ended = finished.first().first().value<RecordingEnded>();
    QVERIFY(ended.complete);
    QVERIFY2(ended.commandStatus.startsWith(QStringLiteral("killed by"))
            || ended.commandStatus.startsWith(QStringLiteral("exited")),
        qPrintable(ended.commandStatus));
    QVERIFY(!QFile::exists(QStringLiteral("/proc/%1").arg(pid))); // ended and reaped
}

void RecordingTest::GIVEN_the_no_strings_setting_WHEN_a_snapshot_is_taken_THEN_string_contents_stay_out_data()
{
    QTest::addColumn<bool>("noStrings");
    QTest::newRow("strings kept (the control)") << false;
    QTest::newRow("Leave String Contents Out") << true;
}

void RecordingTest::GIVEN_the_no_strings_setting_WHEN_a_snapshot_is_taken_THEN_string_contents_stay_out()
{
    QFETCH(bool, noStrings);
    // A secret made at run time (so it is no constant of the code) and held in a global.
    const QString script = dir_.filePath(QStringLiteral("secret.py"));
    {
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import time\nTOKEN = '-'.join(['hunter2', 'gcscope', 'secret'])\n"
                "print('ready', flush=True)\ntime.sleep(60)\n");
    }
    const QString output = dir_.filePath(QStringLiteral("secret-%1.db").arg(noStrings));
    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    auto* setting = window.findChild<QAction*>(QStringLiteral("noStringsAction"));
    QVERIFY(setting);
    setting->setChecked(noStrings);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    QSignalSpy started(window.recording(), &RecordingController::started);
    QSignalSpy snapshots(window.recording(), &RecordingController::snapshotSaved);
    QSignalSpy finished(window.recording(), &RecordingController::finished);
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Launch;
    request.command = { test::pythons().first(), script };
    request.outputPath = output;
    window.startRecording(request);
    QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    QTest::qWait(300);
    window.takeSnapshot();
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() == 1 || errors.count() > 0, 60000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    window.stopRecording();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);

    QFile db(output);
    QVERIFY(db.open(QIODevice::ReadOnly));
    const bool found = db.readAll().contains("hunter2-gcscope-secret");
    QCOMPARE(found, !noStrings);
}

QTEST_MAIN(RecordingTest)
#include "test_app_recording.moc"
