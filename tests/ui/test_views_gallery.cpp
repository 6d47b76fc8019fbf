// Every view with real data in a 1280x800 window, painted for real (offscreen, or under Xvfb): a
// smoke test of the painting code (delegates, chart, graph) with light and dark palettes. With
// GCSCOPE_SCREENSHOT_DIR set it saves the pictures there (docs/screenshots/views-*.png).
#include "core/DocumentContext.h"
#include "core/Palettes.h"
#include "views/CycleListModel.h"
#include "views/CyclesView.h"
#include "views/InspectorView.h"
#include "views/LeaksView.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotComparisonModel.h"
#include "views/SnapshotsView.h"
#include "views/TypesView.h"

#include "test_views_support.h"

#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTreeView>

using namespace gcscope::ui;

class ViewsGalleryTest : public QObject {
    Q_OBJECT
private:
    QString leaky_, articles_, requestCache_;

    void capture(QWidget& window, const char* name)
    {
        QTest::qWait(300); // layouts and the chart settle
        const QPixmap picture = window.grab();
        QVERIFY(!picture.isNull());
        QCOMPARE(picture.size(), window.size() * window.devicePixelRatio());
        const QString dir = qEnvironmentVariable("GCSCOPE_SCREENSHOT_DIR");
        if (!dir.isEmpty())
            QVERIFY(picture.save(QDir(dir).filePath(QLatin1String(name))));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        leaky_ = test::fixture("leaky.db", &skip);
        articles_ = test::fixture("articles.db", &skip);
        requestCache_ = test::fixture("request_cache.db", &skip);
        if (leaky_.isEmpty() || articles_.isEmpty() || requestCache_.isEmpty())
            QSKIP(qPrintable(skip));
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        // The views as a new user sees them: no layout saved by earlier tests.
        QSettings(QStringLiteral("gcscope"), QStringLiteral("gcscope")).clear();
    }

    void givenTheLeakyDemo_whenEveryViewIsShown_thenEachPaintsRealData()
    {
        DocumentContext context;
        QTabWidget window;
        auto* types = new TypesView(&context);
        auto* snapshots = new SnapshotsView(&context);
        auto* inspector = new InspectorView(&context);
        auto* cycles = new CyclesView(&context);
        window.addTab(types, QStringLiteral("Types"));
        window.addTab(snapshots, QStringLiteral("Snapshots"));
        window.addTab(inspector, QStringLiteral("Inspector"));
        window.addTab(cycles, QStringLiteral("Cycles"));
        window.resize(1280, 800);
        window.show();
        context.setDatabasePath(leaky_);
        QVERIFY(test::waitFor([&] {
            return !types->isLoading() && !snapshots->isLoading() && !inspector->isLoading() && !cycles->isLoading()
                && snapshots->comparisonModel()->comparison() && inspector->analysis();
        }));

        types->selectType(QStringLiteral("__main__.Request"));
        window.setCurrentWidget(types);
        capture(window, "views-types.png");

        window.setCurrentWidget(snapshots);
        capture(window, "views-snapshots.png");

        context.requestInspectType(QStringLiteral("__main__.Request"));
        window.setCurrentWidget(inspector);
        capture(window, "views-inspector.png");
        inspector->tabs()->setCurrentIndex(2);
        capture(window, "views-inspector-dominators.png");

        // Dark palette: the same views must stay readable.
        QApplication::setPalette(darkPalette());
        window.setCurrentWidget(types);
        capture(window, "views-types-dark.png");
        inspector->tabs()->setCurrentIndex(0);
        window.setCurrentWidget(inspector);
        capture(window, "views-inspector-dark.png");
        QApplication::setPalette(QApplication::style()->standardPalette());
    }

    void givenTheRequestCacheLeak_whenTheLeaksViewIsShown_thenItPaintsTheSuspect()
    {
        DocumentContext context;
        LeaksView view(&context);
        view.resize(1280, 800);
        view.show();
        context.setDatabasePath(requestCache_);
        QVERIFY(test::waitFor([&] { return !view.isLoading() && view.report(); }));
        QVERIFY(view.headline()->text().contains(QStringLiteral("leak suspect")));
        capture(view, "views-leaks.png");
        QApplication::setPalette(darkPalette());
        capture(view, "views-leaks-dark.png");
        QApplication::setPalette(QApplication::style()->standardPalette());
    }

    void givenTheArticleExamples_whenTheCyclesViewIsShown_thenTheGraphIsDrawn()
    {
        DocumentContext context;
        CyclesView view(&context);
        view.resize(1280, 800);
        view.show();
        context.setDatabasePath(articles_);
        QVERIFY(test::waitFor([&] { return !view.isLoading() && view.model()->analysis(); }));
        // The ring of five Nodes makes the best picture.
        const auto& a = *view.model()->analysis();
        for (int row = 0; row < view.model()->rowCount(); ++row) {
            const auto& c = a.cycles().cycles[static_cast<std::size_t>(row)];
            if (c.unreachable && c.memberCount == 5)
                view.table()->setCurrentIndex(view.proxy()->mapFromSource(view.model()->index(row, 0)));
        }
        capture(view, "views-cycles.png");
        QApplication::setPalette(darkPalette());
        capture(view, "views-cycles-dark.png");
        QApplication::setPalette(QApplication::style()->standardPalette());
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsGalleryTest)
#include "test_views_gallery.moc"
