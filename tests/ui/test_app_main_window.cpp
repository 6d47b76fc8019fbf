// The main window with real files: a recorded database opens and the dashboard shows the numbers
// storage::Reader has; a corrupt, a foreign and a newer file each show their one-line error (read
// from the message signal, no dialog in the way) and stay byte for byte as they were. And the
// command line.
#include "test_app_support.h"

#include <gcscope/storage/Migrations.h>

#include "app/CommandLine.h"
#include "app/MainWindow.h"
#include "app/ReportExporter.h"
#include "app/StartPage.h"
#include "core/DocumentContext.h"
#include "core/Format.h"
#include "core/UserMessages.h"
#include "dashboard/DashboardView.h"
#include "dashboard/SummaryStrip.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <tuple>

using namespace gcscope;
using namespace gcscope::ui;

namespace {

void sqliteExec(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void GIVEN_no_file_WHEN_started_THEN_the_start_page_shows();
    void GIVEN_a_recording_WHEN_opened_THEN_the_dashboard_shows_the_session_numbers();
    void GIVEN_a_bad_file_WHEN_opened_THEN_its_one_line_error_shows_and_it_is_untouched_data();
    void GIVEN_a_bad_file_WHEN_opened_THEN_its_one_line_error_shows_and_it_is_untouched();
    void GIVEN_an_open_recording_WHEN_the_leak_report_is_exported_THEN_the_file_is_written_in_that_format();
    void GIVEN_arguments_WHEN_parsed_THEN_the_options_or_the_usage_error_come_out();
    void GIVEN_until_loaded_WHEN_the_snapshot_is_damaged_THEN_the_view_loads_or_the_program_says_why_and_exits_1_data();
    void GIVEN_until_loaded_WHEN_the_snapshot_is_damaged_THEN_the_view_loads_or_the_program_says_why_and_exits_1();

private:
    QTemporaryDir dir_;
    QString recording_;
};

void MainWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings and recordings go to a test location
    QCoreApplication::setOrganizationName(QStringLiteral("gcscope-test"));
    QCoreApplication::setApplicationName(QStringLiteral("gcscope-test"));
    QVERIFY(dir_.isValid());
    if (!test::ptraceProblem()) {
        recording_ = dir_.filePath(QStringLiteral("demo.db"));
        const QString error = test::recordDemo(recording_, 3);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

void MainWindowTest::init()
{
    QSettings().clear();
}

void MainWindowTest::GIVEN_no_file_WHEN_started_THEN_the_start_page_shows()
{
    MainWindow window;
    window.show();
    QVERIFY(window.showingStartPage());
    QVERIFY(window.context()->databasePath().isEmpty());
    QCOMPARE(window.tabs()->count(), 6); // Dashboard, Leaks, Types, Snapshots, Inspector, Cycles
}

void MainWindowTest::GIVEN_a_recording_WHEN_opened_THEN_the_dashboard_shows_the_session_numbers()
{
    if (recording_.isEmpty())
        QSKIP("no recording: ptrace is not permitted here");
    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    window.show();
    QSignalSpy opened(&window, &MainWindow::databaseOpened);
    QSignalSpy loaded(window.dashboard(), &DashboardView::loaded);
    window.openDatabase(recording_);
    QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    QCOMPARE(errors.count(), 0);
    QVERIFY(!window.showingStartPage());
    QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::DashboardTab));
    QCOMPARE(window.context()->databasePath(), recording_);
    QVERIFY(window.windowTitle().contains(QStringLiteral("demo.db")));

    const auto db = storage::Database::openForReading(recording_.toStdString());
    const storage::Reader reader(db);
    const auto session = reader.sessions().back();
    std::array<std::int64_t, 3> perGeneration {};
    std::int64_t collected = 0;
    for (const auto& e : reader.gcEvents(session.id)) {
        ++perGeneration[static_cast<std::size_t>(e.generation)];
        collected += e.collected;
    }
    const auto* summary = window.dashboard()->summary();
    QCOMPARE(summary->value(QStringLiteral("summaryCollections")),
        QStringLiteral("%1 / %2 / %3")
            .arg(display::count(perGeneration[0]), display::count(perGeneration[1]), display::count(perGeneration[2])));
    QCOMPARE(summary->value(QStringLiteral("summaryCollected")), display::count(collected));
    QCOMPARE(summary->value(QStringLiteral("summaryStatus")), QStringLiteral("complete"));
    QVERIFY(summary->value(QStringLiteral("summarySamples"))
                .startsWith(display::count(reader.sampleCount(session.id)) + QStringLiteral(" · ")));
    QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(recording_));
}

void MainWindowTest::GIVEN_a_bad_file_WHEN_opened_THEN_its_one_line_error_shows_and_it_is_untouched_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("corrupt") << QStringLiteral("corrupt") << QStringLiteral("not a SQLite database");
    QTest::newRow("foreign") << QStringLiteral("foreign")
                             << QStringLiteral("not a gcscope database (SQLite file of another application)");
    QTest::newRow("newer") << QStringLiteral("newer")
                           << QStringLiteral("written by a newer gcscope (schema version %1; this one reads up to %2)")
                                  .arg(gcscope::storage::kSchemaVersion + 1)
                                  .arg(gcscope::storage::kSchemaVersion);
    QTest::newRow("missing") << QStringLiteral("missing") << QString();
}

void MainWindowTest::GIVEN_a_bad_file_WHEN_opened_THEN_its_one_line_error_shows_and_it_is_untouched()
{
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    const QString path = dir_.filePath(kind + QStringLiteral(".db"));
    QFile::remove(path);
    if (kind == QLatin1String("corrupt")) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("this is not a database at all, just some text that someone named .db\n").repeated(100));
    } else if (kind == QLatin1String("foreign")) {
        sqliteExec(path, "CREATE TABLE contacts (name TEXT, phone TEXT); INSERT INTO contacts VALUES ('a', '1');");
    } else if (kind == QLatin1String("newer")) {
        if (recording_.isEmpty())
            QSKIP("no recording: ptrace is not permitted here");
        QVERIFY(QFile::copy(recording_, path));
        sqliteExec(path, ("PRAGMA user_version = " + std::to_string(gcscope::storage::kSchemaVersion + 1)).c_str());
    }
    const QByteArray before = test::fileBytes(path);

    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    window.show();
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    QSignalSpy failed(&window, &MainWindow::openFailed);
    window.openDatabase(path);
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 1, 20000);
    const auto message = errors.first().first().value<UserMessage>();
    QCOMPARE(message.title, QStringLiteral("Cannot open recording"));
    QVERIFY2(message.text.startsWith(path), qPrintable(message.text)); // one line naming the file
    QVERIFY(!message.text.contains(QLatin1Char('\n')));
    if (!expected.isEmpty())
        QVERIFY2(message.text.endsWith(expected), qPrintable(message.text));
    QVERIFY(!message.advice.isEmpty());
    QCOMPARE(failed.count(), 1);

    QVERIFY(window.showingStartPage());
    QVERIFY(window.context()->databasePath().isEmpty());
    QCOMPARE(test::fileBytes(path), before);
    QCOMPARE(QFile::exists(path + QStringLiteral("-wal")), false);
    QCOMPARE(QFile::exists(path), kind != QLatin1String("missing"));
}

void MainWindowTest::GIVEN_an_open_recording_WHEN_the_leak_report_is_exported_THEN_the_file_is_written_in_that_format()
{
    if (recording_.isEmpty())
        QSKIP("no recording: ptrace is not permitted here");
    if (!ReportExporter::available())
        QSKIP("leak reports are not part of this build");
    MainWindow window;
    window.messages()->setDialogsEnabled(false);
    QSignalSpy errors(window.messages(), &UserMessages::errorShown);
    QSignalSpy opened(&window, &MainWindow::databaseOpened);
    QSignalSpy exported(&window, &MainWindow::reportExported);
    window.openDatabase(recording_);
    QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1, 20000);

    const QString html = dir_.filePath(QStringLiteral("report.html"));
    window.exportReport(html);
    QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1 || errors.count() > 0, 120000);
    QVERIFY2(errors.isEmpty(), qPrintable(test::firstError(errors)));
    QCOMPARE(exported.first().first().toString(), html);
    QVERIFY(test::fileBytes(html).contains("<html"));

    const QString json = dir_.filePath(QStringLiteral("report.json"));
    window.exportReport(json);
    QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 2 || errors.count() > 0, 120000);
    QVERIFY(errors.isEmpty());
    const auto doc = QJsonDocument::fromJson(test::fileBytes(json)).object();
    QCOMPARE(doc.value(QStringLiteral("format")).toString(), QStringLiteral("gcscope-leak-report"));
}

void MainWindowTest::GIVEN_arguments_WHEN_parsed_THEN_the_options_or_the_usage_error_come_out()
{
    const QString exe = QStringLiteral("gcscope-gui");
    auto version = parseCommandLine({ exe, QStringLiteral("--version") });
    QCOMPARE(version.action, ParsedCommandLine::Action::Exit);
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.output, QStringLiteral("gcscope-gui " GCSCOPE_VERSION "\n"));

    auto file = parseCommandLine({ exe, QStringLiteral("rec.db") });
    QCOMPARE(file.action, ParsedCommandLine::Action::Run);
    QCOMPARE(file.options.file, QStringLiteral("rec.db"));

    auto attach = parseCommandLine({ exe, QStringLiteral("--attach"), QStringLiteral("1234") });
    QCOMPARE(attach.options.attachPid, qint64(1234));
    QVERIFY(parseCommandLine({ exe, QStringLiteral("--demo") }).options.demo);

    auto timed = parseCommandLine({ exe, QStringLiteral("rec.db"), QStringLiteral("--tab"), QStringLiteral("leaks"),
        QStringLiteral("--until-loaded") });
    QCOMPARE(timed.action, ParsedCommandLine::Action::Run);
    QVERIFY(timed.options.untilLoaded);
    QVERIFY(!file.options.untilLoaded);

    for (const QStringList& bad : { QStringList { exe, QStringLiteral("--attach"), QStringLiteral("abc") },
             QStringList { exe, QStringLiteral("--frobnicate") },
             // --until-loaded waits for a view that loads, of something to load
             QStringList { exe, QStringLiteral("a.db"), QStringLiteral("--until-loaded") },
             QStringList { exe, QStringLiteral("a.db"), QStringLiteral("--tab"), QStringLiteral("snapshots"),
                 QStringLiteral("--until-loaded") },
             QStringList { exe, QStringLiteral("--tab"), QStringLiteral("leaks"), QStringLiteral("--until-loaded") },
             QStringList { exe, QStringLiteral("a.db"), QStringLiteral("--demo") },
             QStringList { exe, QStringLiteral("a.db"), QStringLiteral("b.db") } }) {
        const auto parsed = parseCommandLine(bad);
        QCOMPARE(parsed.action, ParsedCommandLine::Action::Exit);
        QCOMPARE(parsed.exitCode, 2);
        QVERIFY(parsed.output.startsWith(QStringLiteral("gcscope-gui: error: ")));
    }
}

void MainWindowTest::
    GIVEN_until_loaded_WHEN_the_snapshot_is_damaged_THEN_the_view_loads_or_the_program_says_why_and_exits_1_data()
{
    QTest::addColumn<QString>("tab");
    QTest::addColumn<bool>("needsSnapshot");
    for (const char* tab : { "leaks", "inspector", "cycles" })
        QTest::newRow(tab) << QString::fromLatin1(tab) << true;
    QTest::newRow("types") << QStringLiteral("types") << false;
}

// The real gcscope-gui, as the benchmark runs it: a file that opens but whose snapshot is damaged.
// Each view that needs the snapshot fails; the program says so and exits 1 rather than wait for ever.
// The Types view (censuses only) loads, and the program ends though other views' dialogs are open.
void MainWindowTest::
    GIVEN_until_loaded_WHEN_the_snapshot_is_damaged_THEN_the_view_loads_or_the_program_says_why_and_exits_1()
{
    QFETCH(QString, tab);
    QFETCH(bool, needsSnapshot);
    if (recording_.isEmpty())
        QSKIP("no recording: ptrace is not permitted here");
    const auto run = [&](const QString& path) {
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("GCSCOPE_KEEP_ANALYSES"), QStringLiteral("0")); // the good file stays as it is
        env.insert(QStringLiteral("GCSCOPE_PHASES"), QStringLiteral("1"));
        gui.setProcessEnvironment(env);
        gui.start(
            QStringLiteral(GCSCOPE_GUI), { path, QStringLiteral("--tab"), tab, QStringLiteral("--until-loaded") });
        const bool ended = gui.waitForFinished(90000);
        if (!ended)
            gui.kill();
        return std::tuple { ended, gui.exitCode(), QString::fromLocal8Bit(gui.readAllStandardError()) };
    };

    // The same command on the intact file loads the view and exits 0.
    const auto [goodEnded, goodCode, goodErr] = run(recording_);
    QVERIFY2(goodEnded, "gcscope-gui --until-loaded did not end on an intact file");
    QCOMPARE(goodCode, 0);
    QVERIFY2(goodErr.contains(QStringLiteral("gcscope-gui: the %1 view loaded in ").arg(tab)), qPrintable(goodErr));
    // The views get a head start on the newest snapshot's analysis, begun before the window is built.
    const auto headStart = goodErr.indexOf(QStringLiteral("gcscope phase: snapshot head start begun"));
    const auto windowShown = goodErr.indexOf(QStringLiteral("gcscope phase: window shown"));
    QVERIFY2(headStart >= 0 && windowShown > headStart, qPrintable(goodErr));

    const QString damaged = dir_.filePath(QStringLiteral("damaged-%1.db").arg(tab));
    QFile::remove(damaged);
    QVERIFY(QFile::copy(recording_, damaged));
    sqliteExec(damaged, "UPDATE snapshot_chunks SET data = zeroblob(7) WHERE first_id = 0;");
    const QByteArray before = test::fileBytes(damaged);
    const auto [ended, code, err] = run(damaged);
    QVERIFY2(ended, "gcscope-gui --until-loaded did not end on a file with a damaged snapshot");
    QCOMPARE(test::fileBytes(damaged), before);
    if (!needsSnapshot) {
        QCOMPARE(code, 0);
        QVERIFY2(err.contains(QStringLiteral("gcscope-gui: the %1 view loaded in ").arg(tab)), qPrintable(err));
        return;
    }
    QCOMPARE(code, 1);
    const QString expected = QStringLiteral("gcscope-gui: error: the %1 view could not load: ").arg(tab);
    QVERIFY2(err.contains(expected), qPrintable(err));
    const QString line = err.mid(err.indexOf(expected)).section(QLatin1Char('\n'), 0, 0);
    QVERIFY2(line.contains(QStringLiteral("damaged-%1.db").arg(tab)), qPrintable(line)); // the reason names the file
    QVERIFY2(!err.contains(QStringLiteral(" view loaded in ")), qPrintable(err));
}

QTEST_MAIN(MainWindowTest)
#include "test_app_main_window.moc"
