// The dashboard's data path against a real recording: the loader's tracks and totals equal what
// storage::Reader returns, incremental loads continue exactly where the last one stopped,
// decimation keeps every extreme, the session model passes QAbstractItemModelTester, and the
// view shows the same numbers with all charts on one time axis.
#include "test_app_support.h"

#include "core/DocumentContext.h"
#include "core/Format.h"
#include "dashboard/DashboardLoader.h"
#include "dashboard/DashboardView.h"
#include "dashboard/Decimation.h"
#include "dashboard/SessionListModel.h"
#include "dashboard/SharedTimeAxis.h"
#include "dashboard/SummaryStrip.h"
#include "dashboard/TimeChartView.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <random>

using namespace gcscope;
using namespace gcscope::ui;

class DashboardSeriesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void GIVEN_a_recording_WHEN_loaded_THEN_every_track_equals_the_reader();
    void GIVEN_a_cursor_WHEN_loaded_incrementally_THEN_only_later_rows_come_and_continue_the_full_load();
    void GIVEN_a_long_series_WHEN_decimated_THEN_min_and_max_survive_and_the_size_is_bounded();
    void GIVEN_a_short_series_WHEN_decimated_THEN_it_is_unchanged();
    void GIVEN_sessions_WHEN_the_session_model_changes_THEN_the_model_tester_passes();
    void GIVEN_the_view_WHEN_a_recording_is_opened_THEN_the_summary_shows_the_reader_numbers();
    void GIVEN_the_view_WHEN_one_chart_zooms_THEN_every_chart_shows_the_same_range();
    void GIVEN_an_incremental_collector_with_CPythons_own_timing_WHEN_shown_THEN_generations_and_timing_are_named();

private:
    QTemporaryDir dir_;
    QString recording_;
};

void DashboardSeriesTest::initTestCase()
{
    if (auto problem = test::ptraceProblem())
        QSKIP(qPrintable(*problem));
    QVERIFY(dir_.isValid());
    recording_ = dir_.filePath(QStringLiteral("demo.db"));
    const QString error = test::recordDemo(recording_, 3);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void DashboardSeriesTest::GIVEN_a_recording_WHEN_loaded_THEN_every_track_equals_the_reader()
{
    const auto chunk = loadDashboard({ recording_.toStdString() });
    const auto db = storage::Database::openForReading(recording_.toStdString());
    const storage::Reader reader(db);
    QVERIFY(chunk.session);
    QCOMPARE(chunk.sessions.size(), reader.sessions().size());
    const auto id = chunk.session->id;
    const double start = static_cast<double>(chunk.session->startedNs);

    const auto samples = reader.samples(id);
    QVERIFY(samples.size() > 10);
    const auto& count0 = chunk.tracks[static_cast<std::size_t>(Track::Count0)];
    const auto& threshold1 = chunk.tracks[static_cast<std::size_t>(Track::Threshold1)];
    const auto& collections2 = chunk.tracks[static_cast<std::size_t>(Track::Collections2)];
    QCOMPARE(count0.size(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        QCOMPARE(count0.y[i], static_cast<double>(samples[i].count[0]));
        QCOMPARE(count0.x[i], (static_cast<double>(samples[i].timeNs) - start) / 1e9);
        QCOMPARE(threshold1.y[i], static_cast<double>(samples[i].threshold[1]));
        QCOMPARE(
            collections2.y[i], static_cast<double>(samples[i].stats[2].collections - samples[0].stats[2].collections));
    }
    QCOMPARE(chunk.totals.samples, static_cast<std::int64_t>(samples.size()));

    const auto events = reader.gcEvents(id);
    QVERIFY(!events.empty());
    std::array<std::int64_t, 3> perGeneration {};
    double totalMs = 0, maxMs = 0;
    for (const auto& e : events) {
        ++perGeneration[static_cast<std::size_t>(e.generation)];
        totalMs += static_cast<double>(e.durationNs) / 1e6;
        maxMs = std::max(maxMs, static_cast<double>(e.durationNs) / 1e6);
    }
    QCOMPARE(chunk.totals.collections, perGeneration);
    for (int g = 0; g < 3; ++g)
        QCOMPARE(static_cast<std::int64_t>(chunk.tracks[static_cast<std::size_t>(Track::Pause0) + g].size()),
            perGeneration[static_cast<std::size_t>(g)]);
    QVERIFY(qFuzzyCompare(chunk.totals.pauseTotalMs, totalMs));
    QCOMPARE(chunk.totals.pauseMaxMs, maxMs);
    // Debian's 3.11 reports no timing of its own: no such points, none counted.
    QCOMPARE(chunk.tracks[static_cast<std::size_t>(Track::PythonPause)].size(), std::size_t { 0 });
    QCOMPARE(chunk.totals.pythonTimed, std::int64_t { 0 });

    const auto process = reader.processSamples(id);
    QCOMPARE(chunk.tracks[static_cast<std::size_t>(Track::RssMiB)].size(), process.size());
    QCOMPARE(chunk.tracks[static_cast<std::size_t>(Track::RssMiB)].y.back(),
        static_cast<double>(process.back().rssBytes) / (1024.0 * 1024.0));
    const auto censuses = reader.censuses(id);
    QVERIFY(censuses.size() >= 2);
    QCOMPARE(chunk.tracks[static_cast<std::size_t>(Track::TrackedObjects)].size(), censuses.size());
    QCOMPARE(chunk.tracks[static_cast<std::size_t>(Track::TrackedObjects)].y.back(),
        static_cast<double>(censuses.back().objects));
    QCOMPARE(chunk.snapshots, std::int64_t(1)); // --snapshot-at-end
}

void DashboardSeriesTest::
    GIVEN_a_cursor_WHEN_loaded_incrementally_THEN_only_later_rows_come_and_continue_the_full_load()
{
    const auto full = loadDashboard({ recording_.toStdString() });
    const auto& samples = full.tracks[static_cast<std::size_t>(Track::Count0)];
    const std::size_t half = samples.size() / 2;
    const auto db = storage::Database::openForReading(recording_.toStdString());
    const auto all = storage::Reader(db).samples(full.session->id);

    DashboardRequest request { recording_.toStdString() };
    request.loadedSession = full.session->id;
    request.after = full.cursor;
    request.after.sampleNs = all[half - 1].timeNs;
    request.baseline = full.baseline;
    const auto more = loadDashboard(request);
    QVERIFY(more.incremental);
    const auto& tail = more.tracks[static_cast<std::size_t>(Track::Collections0)];
    const auto& fullCollections = full.tracks[static_cast<std::size_t>(Track::Collections0)];
    QCOMPARE(tail.size(), samples.size() - half);
    for (std::size_t i = 0; i < tail.size(); ++i) {
        QCOMPARE(tail.x[i], fullCollections.x[half + i]);
        QCOMPARE(tail.y[i], fullCollections.y[half + i]); // same baseline: the lines join up
    }
    QCOMPARE(more.tracks[static_cast<std::size_t>(Track::Pause0)].size(), std::size_t(0)); // cursor at the end
    QCOMPARE(more.totals.gcEvents(), std::int64_t(0));

    request.loadedSession = full.session->id + 1000; // another session was shown: a full load instead
    QVERIFY(!loadDashboard(request).incremental);
}

void DashboardSeriesTest::GIVEN_a_long_series_WHEN_decimated_THEN_min_and_max_survive_and_the_size_is_bounded()
{
    std::mt19937 random(7);
    std::uniform_real_distribution<double> noise(-1, 1);
    std::vector<double> x, y;
    for (int i = 0; i < 200'000; ++i) {
        x.push_back(i * 0.01);
        y.push_back(noise(random));
    }
    y[123'457] = 50; // one spike
    y[77'777] = -40; // one dip
    const int buckets = 400;
    const auto points = decimateMinMax(x, y, x.front(), x.back(), buckets);
    QVERIFY(points.size() <= 2 * buckets + 2);
    QVERIFY(points.size() >= buckets);
    QVERIFY(
        std::is_sorted(points.begin(), points.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); }));
    const auto [lo, hi] = std::minmax_element(
        points.begin(), points.end(), [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
    QCOMPARE(hi->y(), 50.0);
    QCOMPARE(hi->x(), x[123'457]);
    QCOMPARE(lo->y(), -40.0);

    // A zoomed range keeps its extremes too, plus one neighbour on each side.
    const auto zoomed = decimateMinMax(x, y, 1000.0, 1500.0, 100);
    QVERIFY(zoomed.size() <= 2 * 100 + 2);
    QVERIFY(zoomed.first().x() < 1000.0 && zoomed.last().x() > 1500.0);
    QCOMPARE(
        std::max_element(zoomed.begin(), zoomed.end(), [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); })
            ->y(),
        50.0);
}

void DashboardSeriesTest::GIVEN_a_short_series_WHEN_decimated_THEN_it_is_unchanged()
{
    const std::vector<double> x { 0, 1, 2, 3 }, y { 5, 1, 7, 2 };
    const auto points = decimateMinMax(x, y, 0, 3, 100);
    QCOMPARE(points.size(), qsizetype(4));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(points[i], QPointF(x[static_cast<std::size_t>(i)], y[static_cast<std::size_t>(i)]));
    QVERIFY(decimateMinMax({}, {}, 0, 1, 10).isEmpty());
}

void DashboardSeriesTest::GIVEN_sessions_WHEN_the_session_model_changes_THEN_the_model_tester_passes()
{
    SessionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto db = storage::Database::openForReading(recording_.toStdString());
    auto sessions = storage::Reader(db).sessions();
    model.setSessions(sessions);
    QCOMPARE(model.rowCount(), static_cast<int>(sessions.size()));
    QVERIFY(model.index(0).data().toString().contains(QString::number(sessions[0].pid)));
    QCOMPARE(model.index(0).data(SessionListModel::SessionIdRole).toLongLong(), sessions[0].id);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    sessions[0].complete = !sessions[0].complete; // same rows, new status: no reset
    model.setSessions(sessions);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changes.count(), 1);
    auto more = sessions;
    more.push_back(sessions[0]);
    more.back().id += 1;
    model.setSessions(more);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), static_cast<int>(more.size()));
    QCOMPARE(model.rowOf(more.back().id), model.rowCount() - 1);
    model.setSessions({});
    QCOMPARE(model.rowCount(), 0);
}

void DashboardSeriesTest::GIVEN_the_view_WHEN_a_recording_is_opened_THEN_the_summary_shows_the_reader_numbers()
{
    DocumentContext context;
    DashboardView view(&context);
    view.resize(1200, 800);
    view.show();
    QSignalSpy loaded(&view, &DashboardView::loaded);
    context.setDatabasePath(recording_);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);

    const auto db = storage::Database::openForReading(recording_.toStdString());
    const storage::Reader reader(db);
    const auto session = reader.sessions().back();
    std::array<std::int64_t, 3> perGeneration {};
    for (const auto& e : reader.gcEvents(session.id))
        ++perGeneration[static_cast<std::size_t>(e.generation)];
    QCOMPARE(view.summary()->value(QStringLiteral("summaryCollections")),
        QStringLiteral("%1 / %2 / %3")
            .arg(display::count(perGeneration[0]), display::count(perGeneration[1]), display::count(perGeneration[2])));
    QVERIFY(view.summary()
                ->value(QStringLiteral("summarySamples"))
                .startsWith(display::count(reader.sampleCount(session.id))));
    QCOMPARE(view.summary()->value(QStringLiteral("summaryStatus")), QStringLiteral("complete"));
    QCOMPARE(view.summary()->value(QStringLiteral("summarySnapshots")), QStringLiteral("1"));

    // The pause chart draws the longest pause even though it decimates.
    QCoreApplication::processEvents();
    const auto& series = view.series();
    double longest = 0;
    for (auto t : { Track::Pause0, Track::Pause1, Track::Pause2 })
        for (double v : series.track(t).y)
            longest = std::max(longest, v);
    double shownLongest = 0;
    for (auto t : { Track::Pause0, Track::Pause1, Track::Pause2 })
        for (const QPointF& p : view.charts()[2]->shownPoints(t))
            shownLongest = std::max(shownLongest, p.y());
    QCOMPARE(shownLongest, longest);
    // A generational collector without CPython's own timing: gen 0/1/2, and no track for that timing.
    QCOMPARE(view.charts()[2]->trackName(Track::Pause0), QStringLiteral("gen 0"));
    QVERIFY(!view.charts()[2]->trackAvailable(Track::PythonPause));
    QVERIFY(!view.charts()[2]->title().contains(QStringLiteral("CPython")));
}

void DashboardSeriesTest::GIVEN_the_view_WHEN_one_chart_zooms_THEN_every_chart_shows_the_same_range()
{
    DocumentContext context;
    DashboardView view(&context);
    view.resize(1200, 800);
    view.show();
    QSignalSpy loaded(&view, &DashboardView::loaded);
    context.setDatabasePath(recording_);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    auto* first = view.charts().front();
    const QPoint centre = first->viewport()->rect().center();
    QTest::mousePress(first->viewport(), Qt::LeftButton, {}, centre - QPoint(100, 0));
    QTest::mouseMove(first->viewport(), centre);
    QTest::mouseRelease(first->viewport(), Qt::LeftButton, {}, centre);
    QVERIFY(view.timeAxis()->zoomed());
    const double from = view.timeAxis()->from(), to = view.timeAxis()->to();
    QVERIFY(from > 0 && to < view.series().duration());
    QCoreApplication::processEvents();
    for (auto* chart : view.charts())
        for (const QPointF& p : chart->shownPoints(Track::Count0))
            QVERIFY(p.x() >= 0); // only checks it draws; ranges below
    // Every chart's points lie within the range (plus one neighbour on each side).
    for (auto* chart : view.charts()) {
        for (auto t : { Track::Count0, Track::RssMiB, Track::Collected }) {
            const auto points = chart->shownPoints(t);
            if (points.size() < 3)
                continue;
            QVERIFY(points[1].x() >= from && points[points.size() - 2].x() <= to);
        }
    }
    // The tooltip reads exact values from the full data.
    const QString tip = first->valuesAt((from + to) / 2);
    QVERIFY(tip.contains(QStringLiteral("gen 0")));
    QVERIFY(tip.contains(QStringLiteral("threshold 0")));

    QTest::keyClick(first, Qt::Key_0);
    QVERIFY(!view.timeAxis()->zoomed());
}

void DashboardSeriesTest::
    GIVEN_an_incremental_collector_with_CPythons_own_timing_WHEN_shown_THEN_generations_and_timing_are_named()
{
    // A recording as 3.14.0 would make it, written with the real Recorder into a real file.
    const QString path = dir_.filePath(QStringLiteral("incremental.db"));
    {
        auto db = storage::Database::openForWriting(path.toStdString());
        storage::Recorder recorder(db);
        storage::NewSession session;
        session.pid = 4242;
        session.pythonVersion = "3.14.0";
        session.argv = { "python3.14", "app.py" };
        session.startedNs = 1'700'000'000'000'000'000;
        session.intervalMs = 100;
        session.agentForm = "portable";
        session.gcModel = "incremental";
        const auto id = recorder.beginSession(session);
        std::vector<wire::GcEventRecord> events;
        for (int i = 0; i < 30; ++i) {
            wire::SampleRecord sample;
            sample.timeNs = session.startedNs + i * 100'000'000LL;
            sample.count = { i * 10, 0, 0 };
            sample.threshold = { 2000, 10, 0 };
            recorder.addSample(id, sample);
            events.push_back({ sample.timeNs + 1000, 300'000 + i * 1000, i % 3, 100, 0, 5000, 250'000 + i * 1000 });
        }
        recorder.addGcEvents(id, events, 0);
        recorder.endSession(id, session.startedNs + 3'000'000'000LL, true, "detach");
    }
    DocumentContext context;
    DashboardView view(&context);
    view.resize(1200, 800);
    view.show();
    QSignalSpy loaded(&view, &DashboardView::loaded);
    context.setDatabasePath(path);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);

    auto* caption = view.summary()->findChild<QLabel*>(QStringLiteral("summaryCollectionsCaption"));
    QVERIFY(caption);
    QCOMPARE(caption->text(), QStringLiteral("Collections young / increment / full"));
    QCOMPARE(view.summary()->value(QStringLiteral("summaryCollections")), QStringLiteral("10 / 10 / 10"));
    QCOMPARE(view.summary()->value(QStringLiteral("summaryPauseMax")),
        QStringLiteral("%1 (CPython: %2)").arg(display::milliseconds(0.329), display::milliseconds(0.279)));
    auto* pauses = view.charts()[2];
    QCOMPARE(pauses->trackName(Track::Pause0), QStringLiteral("young"));
    QCOMPARE(pauses->trackName(Track::Pause1), QStringLiteral("old (increment)"));
    QCOMPARE(pauses->trackName(Track::Pause2), QStringLiteral("old (full)"));
    QCOMPARE(view.charts()[0]->trackName(Track::Count0), QStringLiteral("young"));
    QVERIFY(pauses->trackAvailable(Track::PythonPause));
    QVERIFY(pauses->trackName(Track::PythonPause).startsWith(QStringLiteral("CPython's own timing: ")));
    QCOMPARE(view.series().track(Track::PythonPause).size(), std::size_t { 30 });
    QCOMPARE(view.series().track(Track::PythonPause).y.back(), 0.279);
    QVERIFY(pauses->valuesAt(1.0).contains(QStringLiteral("CPython's own timing")));

    // Opening a generational recording again names gen 0/1/2 and drops the track.
    QSignalSpy again(&view, &DashboardView::loaded);
    context.setDatabasePath(recording_);
    QTRY_VERIFY_WITH_TIMEOUT(again.count() >= 1, 20000);
    QCOMPARE(pauses->trackName(Track::Pause0), QStringLiteral("gen 0"));
    QCOMPARE(caption->text(), QStringLiteral("Collections gen 0 / 1 / 2"));
    QVERIFY(!pauses->trackAvailable(Track::PythonPause));
}

QTEST_MAIN(DashboardSeriesTest)
#include "test_dashboard_series.moc"
