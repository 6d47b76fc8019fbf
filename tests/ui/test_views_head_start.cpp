// The head start on a file's newest snapshot (views/SnapshotHeadStart.h), on a real recording of
// the leaking demo: the views find its analysis made or join it under way, never make a second one;
// a view that joined it still loads when the head start is stopped; a file that is no recording
// ends it quietly and unchanged. (test_app_main_window runs gcscope-gui --tab, which begins it.)
#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/InspectorView.h"
#include "views/LeaksView.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotCache.h"
#include "views/SnapshotHeadStart.h"

#include "test_views_support.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

using namespace gcscope::ui;

namespace {

QByteArray digestOf(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

// A job that never stops: it takes whatever the cache holds, or makes it.
struct Wanting final : JobControl {
    bool cancelled() const override { return false; }
    void progress(int, int, const QString&) const override { }
};

// The newest snapshot's analysis if the views' cache holds it, else null: asked by a job cancelled
// already, which gets only what is there and makes nothing.
std::shared_ptr<const SnapshotAnalysis> heldAnalysis(const QString& path)
{
    struct Cancelled final : JobControl {
        bool cancelled() const override { return true; }
        void progress(int, int, const QString&) const override { }
    } cancelled;
    try {
        return SnapshotCache::instance().analysis(path, std::nullopt, cancelled);
    } catch (const JobCancelled&) {
        return nullptr;
    }
}

} // namespace

class ViewsHeadStartTest : public QObject {
    Q_OBJECT
private:
    QString leaky_; // the leaking demo: several snapshots, the newest analysed by every view
    QTemporaryDir dir_;

    // A copy of the leaky recording, whose snapshots have no dominator tree kept: every analysis
    // computes one (GCSCOPE_KEEP_ANALYSES=0 keeps the copy as it is).
    QString copyOfLeaky(const char* name)
    {
        const QString copy = dir_.filePath(QLatin1String(name));
        QFile::remove(copy);
        if (!QFile::copy(leaky_, copy))
            return {};
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return QFileInfo(copy).absoluteFilePath();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        leaky_ = test::fixture("leaky.db", &skip);
        if (leaky_.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(dir_.isValid());
        qputenv("GCSCOPE_KEEP_ANALYSES", "0"); // the copies stay as they were copied
    }

    void cleanup()
    {
        SnapshotHeadStart::instance().stop();
        SnapshotCache::instance().clear();
    }

    void givenAHeadStartThatEnded_whenTheInspectorOpensTheFile_thenItShowsTheAnalysisMadeAndMakesNone()
    {
        const QString path = copyOfLeaky("ended.db");
        QVERIFY(!path.isEmpty());
        SnapshotCache::instance().clear();
        const auto made = SnapshotCache::instance().made();
        const auto analysed = SnapshotHeadStart::instance().analysed();
        SnapshotHeadStart::instance().begin(path);
        SnapshotHeadStart::instance().waitUntilDone();
        QCOMPARE(SnapshotHeadStart::instance().analysed(), analysed + 1);
        QCOMPARE(SnapshotCache::instance().made() - made, 2u); // the newest snapshot's graph and analysis

        DocumentContext context;
        InspectorView view(&context);
        QSignalSpy loaded(&view, &InspectorView::loaded);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !view.isLoading(); }));
        QVERIFY(view.analysis());
        QCOMPARE(view.analysis()->info.id, SnapshotCache::snapshotsIn(path).back().id);
        QCOMPARE(SnapshotCache::instance().made() - made, 2u);
    }

    // Whichever asks first, the head start or the Leaks view's report, the other waits for the same
    // computation: one graph and one analysis of the newest snapshot, and the view shows its report.
    void givenAHeadStartUnderWay_whenTheLeaksViewOpensTheFile_thenBothShareOneAnalysis()
    {
        const QString path = copyOfLeaky("shared.db");
        QVERIFY(!path.isEmpty());
        SnapshotCache::instance().clear();
        const auto made = SnapshotCache::instance().made();
        DocumentContext context;
        LeaksView view(&context);
        QSignalSpy loaded(&view, &LeaksView::loaded);
        SnapshotHeadStart::instance().begin(path);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !view.isLoading(); }));
        SnapshotHeadStart::instance().waitUntilDone();
        QCOMPARE(view.state(), LeaksView::State::Shown);
        QVERIFY(view.report() && view.report()->snapshotId);
        QCOMPARE(*view.report()->snapshotId, SnapshotCache::snapshotsIn(path).back().id);
        // The newest snapshot's graph and analysis once each; the report reads the earlier ones
        // without a graph (their garbage summaries are in the file).
        QCOMPARE(SnapshotCache::instance().made() - made, 2u);
    }

    // Stopping the head start (another file opened, the program ending) must not stop a view that
    // joined its computation: the view still loads, without an error.
    void givenAViewWaitingForTheHeadStart_whenTheHeadStartIsStopped_thenTheViewStillLoads()
    {
        const QString path = copyOfLeaky("stopped.db");
        QVERIFY(!path.isEmpty());
        SnapshotCache::instance().clear();
        DocumentContext context;
        InspectorView view(&context);
        QSignalSpy loaded(&view, &InspectorView::loaded);
        QSignalSpy failed(&view, &InspectorView::loadFailed);
        SnapshotHeadStart::instance().begin(path);
        context.setDatabasePath(path);
        SnapshotHeadStart::instance().stop(); // returns once the head start has ended
        QVERIFY(test::waitFor([&] { return loaded.count() + failed.count() >= 1 && !view.isLoading(); }));
        QCOMPARE(failed.count(), 0);
        QVERIFY(view.analysis());
        QCOMPARE(view.analysis()->info.id, SnapshotCache::snapshotsIn(path).back().id);
    }

    // A view's Cancel stops the work a head start began once the view has asked for it: work begun
    // ahead of need is wanted only until a view wants it, and then as long as the view does.
    void givenAViewThatJoinedWorkBegunAhead_whenTheViewIsCancelled_thenTheWorkStops()
    {
        const QString path = copyOfLeaky("cancelled.db");
        QVERIFY(!path.isEmpty());
        SnapshotCache::instance().clear();
        struct Ahead final : JobControl { // as the head start's control: never cancelled, yields
            mutable std::atomic<bool> began { false };
            bool cancelled() const override { return false; }
            void progress(int, int, const QString&) const override
            {
                if (!began.exchange(true)) // the load has begun: hold it while the view joins
                    std::this_thread::sleep_for(std::chrono::seconds(1));
            }
            bool yieldsToOtherJobs() const override { return true; }
        } ahead;
        // Cancelled as soon as it is told of the work's progress, that is once it has joined.
        struct View final : JobControl {
            mutable std::atomic<bool> stop { false };
            bool cancelled() const override { return stop.load(); }
            void progress(int, int, const QString&) const override { stop = true; }
        } view;
        std::shared_ptr<const SnapshotAnalysis> forAhead, forView;
        std::atomic<bool> aheadStopped { false }, viewStopped { false };
        std::thread first([&] {
            try {
                forAhead = SnapshotCache::instance().analysis(path, std::nullopt, ahead);
            } catch (const JobCancelled&) {
                aheadStopped = true;
            }
        });
        QVERIFY(test::waitFor([&] { return ahead.began.load(); }));
        std::thread second([&] {
            try {
                forView = SnapshotCache::instance().analysis(path, std::nullopt, view);
            } catch (const JobCancelled&) {
                viewStopped = true;
            }
        });
        first.join();
        second.join();
        QVERIFY(viewStopped.load() && !forView);
        QVERIFY2(
            aheadStopped.load() && !forAhead, "the work begun ahead went on for nobody once the view was cancelled");
        QVERIFY(!heldAnalysis(path)); // nothing half made is kept
    }

    // A head start stopped before anyone else wanted its work leaves nothing half made behind: the
    // next asker makes the analysis whole.
    void givenAHeadStartStoppedAtOnce_whenTheAnalysisIsAskedFor_thenItIsMadeWhole()
    {
        const QString path = copyOfLeaky("stopped-alone.db");
        QVERIFY(!path.isEmpty());
        SnapshotCache::instance().clear();
        SnapshotHeadStart::instance().begin(path);
        SnapshotHeadStart::instance().stop();
        Wanting wanting;
        const auto analysis = SnapshotCache::instance().analysis(path, std::nullopt, wanting);
        QVERIFY(analysis && analysis->paths);
        QCOMPARE(
            analysis->graph.objectCount(), static_cast<std::size_t>(SnapshotCache::snapshotsIn(path).back().objects));
    }

    // Another file opened: its newest snapshot is the one analysed, and the first file's head start
    // is told to stop without being waited for.
    void givenAHeadStartForOneFile_whenAnotherBegins_thenTheOtherIsAnalysed()
    {
        const QString first = copyOfLeaky("first.db");
        const QString second = copyOfLeaky("second.db");
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        SnapshotCache::instance().clear();
        SnapshotHeadStart::instance().begin(first);
        SnapshotHeadStart::instance().begin(second);
        SnapshotHeadStart::instance().waitUntilDone();
        const auto held = heldAnalysis(second);
        QVERIFY2(held && held->paths, "the second file's head start left no analysis in the views' cache");
        QCOMPARE(QString::fromStdString(held->snapshot->path), second);
    }

    void givenAFileThatIsNoRecording_whenAHeadStartBegins_thenItEndsQuietlyAndTheFileIsUnchanged()
    {
        const QString path = dir_.filePath(QStringLiteral("notes.db"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray("these are notes, not a gcscope recording\n").repeated(200));
        }
        const QByteArray before = digestOf(path);
        const auto analysed = SnapshotHeadStart::instance().analysed();
        SnapshotHeadStart::instance().begin(path);
        SnapshotHeadStart::instance().waitUntilDone();
        SnapshotHeadStart::instance().begin(dir_.filePath(QStringLiteral("missing.db")));
        SnapshotHeadStart::instance().waitUntilDone();
        QCOMPARE(SnapshotHeadStart::instance().analysed(), analysed);
        QCOMPARE(digestOf(path), before);
        QVERIFY(!QFile::exists(dir_.filePath(QStringLiteral("missing.db"))));
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsHeadStartTest)
#include "test_views_head_start.moc"
