// What the views do with a file they cannot read: each stops loading, and the user sees one dialog
// (not one per view) with the storage layer's one-line reason and what to do about it.
#include "core/DocumentContext.h"
#include "views/CyclesView.h"
#include "views/InspectorView.h"
#include "views/SnapshotsView.h"
#include "views/TypesView.h"

#include "test_views_support.h"

#include <QMessageBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>

using namespace gcscope::ui;

class ViewsErrorsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void givenAFileThatIsNoDatabase_whenOpened_thenOneDialogSaysWhyAndWhatToDo()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.db"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
        file.close();

        DocumentContext context;
        QTabWidget window;
        auto* types = new TypesView(&context);
        auto* snapshots = new SnapshotsView(&context);
        auto* inspector = new InspectorView(&context);
        auto* cycles = new CyclesView(&context);
        for (QWidget* view : std::initializer_list<QWidget*> { types, snapshots, inspector, cycles })
            window.addTab(view, QString::fromLatin1(view->metaObject()->className()));
        window.show();
        // Each view also says it failed, with the same reason (gcscope-gui --until-loaded exits on it).
        QSignalSpy typesFailed(types, &TypesView::loadFailed);
        QSignalSpy inspectorFailed(inspector, &InspectorView::loadFailed);
        QSignalSpy cyclesFailed(cycles, &CyclesView::loadFailed);
        context.setDatabasePath(path);
        QVERIFY(test::waitFor([&] {
            return !types->isLoading() && !snapshots->isLoading() && !inspector->isLoading() && !cycles->isLoading();
        }));
        QTest::qWait(50);

        QList<QMessageBox*> dialogs;
        for (auto* w : QApplication::topLevelWidgets())
            if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible())
                dialogs << box;
        QCOMPARE(dialogs.size(), 1);
        const QString text = dialogs.first()->informativeText();
        QVERIFY2(text.contains(QStringLiteral("notes.db")), qPrintable(text)); // the reason names the file
        QVERIFY2(text.contains(QStringLiteral("not a SQLite database")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("open another")), qPrintable(text)); // and says what to do
        for (const QSignalSpy* spy : { &typesFailed, &inspectorFailed, &cyclesFailed }) {
            QCOMPARE(spy->count(), 1);
            const QString reason = spy->first().first().toString();
            QVERIFY2(
                reason.contains(QStringLiteral("notes.db")) && reason.contains(QStringLiteral("not a SQLite database")),
                qPrintable(reason));
        }
        dialogs.first()->close();
        QVERIFY(!inspector->analysis());
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsErrorsTest)
#include "test_views_errors.moc"
