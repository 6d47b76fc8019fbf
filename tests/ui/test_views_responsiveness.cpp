// The window must not freeze on a big snapshot: every view loads a >1M-object snapshot while a
// 10 ms timer measures how long the GUI thread is ever blocked. Heavy (a big file, seconds of
// work), so it runs only when GCSCOPE_VIEWS_BIG_DB names a recording with such a snapshot, e.g.
// made with `gcscope snapshot --pid PID -o big.db` (twice: the Snapshots tab compares two) of a
// process holding a million objects.
#include "core/DocumentContext.h"
#include "views/CyclesView.h"
#include "views/InspectorView.h"
#include "views/SnapshotComparisonModel.h"
#include "views/SnapshotsView.h"
#include "views/TypesView.h"

#include "test_views_support.h"

#include <QElapsedTimer>
#include <QTabWidget>
#include <QTimer>

using namespace gcscope::ui;

class ViewsResponsivenessTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void givenABigSnapshot_whenEveryViewLoadsIt_thenTheGuiThreadNeverStallsLong()
    {
        const QString db = qEnvironmentVariable("GCSCOPE_VIEWS_BIG_DB");
        if (db.isEmpty())
            QSKIP("set GCSCOPE_VIEWS_BIG_DB to a recording with a snapshot of a million objects or more");
        DocumentContext context;
        QTabWidget window;
        auto* inspector = new InspectorView(&context);
        auto* cycles = new CyclesView(&context);
        auto* snapshots = new SnapshotsView(&context);
        auto* types = new TypesView(&context);
        window.addTab(inspector, QStringLiteral("Inspector"));
        window.addTab(cycles, QStringLiteral("Cycles"));
        window.addTab(snapshots, QStringLiteral("Snapshots"));
        window.addTab(types, QStringLiteral("Types"));
        window.resize(1280, 800);
        // The Snapshots tab compares its two newest snapshots only when shown: shown first, it does
        // so while the other views load theirs (hidden, they load as the file opens).
        window.setCurrentWidget(snapshots);
        window.show();

        // The longest time between two ticks of a 10 ms timer is the longest freeze.
        QElapsedTimer clock;
        qint64 last = 0, worst = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        clock.start();
        ticker.start();
        context.setDatabasePath(db);
        QVERIFY(test::waitFor(
            [&] {
                return inspector->analysis() && !inspector->isLoading() && !cycles->isLoading()
                    && !snapshots->isLoading() && snapshots->comparisonModel()->comparison();
            },
            300'000));
        const qint64 loaded = clock.elapsed();
        // Browsing: the cycles tab (draws a cycle), then the inspector's biggest type.
        window.setCurrentWidget(cycles);
        QTest::qWait(100);
        window.setCurrentWidget(inspector);
        QTest::qWait(100);
        ticker.stop();
        qInfo("loaded and analysed in %lld ms; the GUI thread was blocked at most %lld ms", loaded, worst);
        QVERIFY2(worst < 300, qPrintable(QStringLiteral("the GUI thread froze for %1 ms").arg(worst)));
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsResponsivenessTest)
#include "test_views_responsiveness.moc"
