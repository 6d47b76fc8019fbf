// gcscope-gui: the desktop application. See ui/app/MainWindow.h for the window and
// ui/app/CommandLine.h for the command line.
#include "app/CommandLine.h"
#include "app/MainWindow.h"
#include "app/RecordingController.h"
#include "core/Palettes.h"
#include "core/UserMessages.h"
#include "util/huge_pages.h"
#include "util/oom_priority.h"
#include "util/phase_trace.h"

#include "dashboard/DashboardView.h"
#include "views/CyclesView.h"
#include "views/IdleMemoryReturn.h"
#include "views/InspectorView.h"
#include "views/LeaksView.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotHeadStart.h"
#include "views/TypesView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QPalette>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace gcscope::ui;

namespace {

int tabIndex(const QString& name)
{
    const QStringList names { QStringLiteral("dashboard"), QStringLiteral("leaks"), QStringLiteral("types"),
        QStringLiteral("snapshots"), QStringLiteral("inspector"), QStringLiteral("cycles") };
    return static_cast<int>(names.indexOf(name.toLower()));
}

// --palette: Fusion with a dark or light palette, to look at the charts in both themes.
void applyPalette(const QString& name)
{
    QApplication::setStyle(QStringLiteral("Fusion"));
    if (name != QLatin1String("dark"))
        return QApplication::setPalette(QApplication::style()->standardPalette());
    QApplication::setPalette(darkPalette());
}

// --screenshot: grab the window after `delayMs`, stop a recording cleanly, quit (see main()).
void scheduleScreenshot(MainWindow& window, const AppOptions& options, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, options] {
        const bool saved = window.grab().save(options.screenshot);
        std::fprintf(stderr, "gcscope-gui: screenshot %s %s\n", saved ? "saved to" : "could not be saved to",
            options.screenshot.toLocal8Bit().constData());
        window.close(); // detaches first when recording; quits once the window is closed
    });
}

// The view's loaded() signal, once, to `then`, and its loadFailed(error) to `failed`; false when
// `w` is not a V.
template <class V, class F, class G> bool whenLoaded(QWidget* w, QObject* context, F then, G failed)
{
    auto* view = qobject_cast<V*>(w);
    if (!view)
        return false;
    QObject::connect(view, &V::loaded, context, then, Qt::SingleShotConnection);
    QObject::connect(view, &V::loadFailed, context, failed, Qt::SingleShotConnection);
    return true;
}

constexpr int kLaidOutMs = 300;

// --until-loaded: once the --tab view has loaded, say how long it took (from the start of this
// process), save the screenshot if asked for, and close the window (which quits). Should the view
// fail to load, say why, set `failed` and close the window.
bool quitWhenLoaded(MainWindow& window, const AppOptions& options, const QElapsedTimer& sinceStart, bool& failed)
{
    QWidget* view = window.tabs()->widget(tabIndex(options.tab));
    const QString name = options.tab.toLower();
    auto then = [&window, options, name, &sinceStart] {
        std::fprintf(stderr, "gcscope-gui: the %s view loaded in %.3f s\n", name.toLocal8Bit().constData(),
            static_cast<double>(sinceStart.nsecsElapsed()) / 1e9);
        if (options.screenshot.isEmpty()) {
            window.close();
            return;
        }
        // The view shows its parts (the Leaks view's accumulation points) through layout requests
        // still queued now: the picture waits for them.
        scheduleScreenshot(window, options, kLaidOutMs);
    };
    auto fail = [&window, name, &failed](const QString& error) {
        std::fprintf(stderr, "gcscope-gui: error: the %s view could not load: %s\n", name.toLocal8Bit().constData(),
            error.simplified().toLocal8Bit().constData());
        failed = true;
        window.close();
    };
    return whenLoaded<LeaksView>(view, &window, then, fail) || whenLoaded<TypesView>(view, &window, then, fail)
        || whenLoaded<InspectorView>(view, &window, then, fail) || whenLoaded<CyclesView>(view, &window, then, fail)
        || whenLoaded<DashboardView>(view, &window, then, fail);
}

} // namespace

int main(int argc, char** argv)
{
    gcscope::util::startWithHugePages(argv); // may start gcscope-gui again, once: see util/huge_pages.h
    gcscope::util::useOneMallocArena();
    gcscope::util::keepFreedMemory(); // given back when the views are idle: IdleMemoryReturn
    // Should memory run out, the GUI (gigabytes for a big snapshot) is ended, not the program it
    // watches; the programs it starts keep the score it started with (util/oom_priority.h).
    gcscope::util::goFirstWhenMemoryRunsOut();
    gcscope::util::markPhase("gcscope-gui started"); // GCSCOPE_PHASES=1: the time of each load's phases
    QElapsedTimer sinceStart;
    sinceStart.start();
    QCoreApplication::setOrganizationName(QStringLiteral("gcscope"));
    QCoreApplication::setApplicationName(QStringLiteral("gcscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GCSCOPE_VERSION));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const auto parsed = parseCommandLine(arguments);
    if (parsed.action == ParsedCommandLine::Action::Exit) {
        std::fputs(parsed.output.toLocal8Bit().constData(), parsed.exitCode == 0 ? stdout : stderr);
        return parsed.exitCode;
    }
    const AppOptions& options = parsed.options;

    // A write to a target's socket that just closed must be an error, not the end of the GUI.
    std::signal(SIGPIPE, SIG_IGN);

    QApplication app(argc, argv);
    IdleMemoryReturn::install();
    QApplication::setApplicationDisplayName(QStringLiteral("gcscope"));
    // The names under which packaging/ installs the desktop entry and the icon.
    QApplication::setDesktopFileName(QStringLiteral("org.gcscope.gcscope"));
    QApplication::setWindowIcon(QIcon::fromTheme(
        QStringLiteral("org.gcscope.gcscope"), QIcon(QStringLiteral(":/icons/org.gcscope.gcscope.svg"))));

    if (!options.palette.isEmpty())
        applyPalette(options.palette);

    // The views of a file named here (the Leaks view's report at once, the Inspector and Cycles
    // views when shown) start from its newest snapshot's analysis: begun now, beside the window's
    // construction and the file's opening, and shared with them when they ask.
    if (!options.file.isEmpty())
        SnapshotHeadStart::instance().begin(QFileInfo(options.file).absoluteFilePath());
    MainWindow window;
    // Every error the user sees in a dialog also goes to standard error as one line, for whoever
    // started the GUI from a terminal; a --screenshot run (no one to read the dialog) then exits 1.
    bool errorShown = false;
    QObject::connect(window.messages(), &UserMessages::errorShown, &window, [&](const UserMessage& m) {
        errorShown = true;
        std::fprintf(stderr, "gcscope-gui: %s: %s\n", m.title.toLocal8Bit().constData(),
            m.text.simplified().toLocal8Bit().constData());
        if (options.untilLoaded) // nobody to read the dialog, and the view may never load
            window.close();
    });
    if (options.size.isValid())
        window.resize(options.size);
    window.show();
    gcscope::util::markPhase("window shown");

    if (!options.file.isEmpty())
        window.openDatabase(options.file);
    else if (options.attachPid > 0)
        window.attachTo(options.attachPid);
    else if (options.demo)
        window.runDemo();

    if (!options.tab.isEmpty()) {
        if (options.tab == QLatin1String("start"))
            window.showStartPage();
        else if (const int index = tabIndex(options.tab); index >= 0) {
            // Opening a file or starting a recording shows the dashboard once done: the tab after that.
            auto show = [&window, index] { window.showTab(index); };
            QObject::connect(&window, &MainWindow::databaseOpened, &window, show);
            QObject::connect(window.recording(), &RecordingController::started, &window, show);
            QTimer::singleShot(0, &window, show);
        }
    }
    // A scripted run (--screenshot, --until-loaded) ends when its window closes, even while another
    // view's error dialog is still open, which would otherwise keep the application running.
    if (!options.screenshot.isEmpty() || options.untilLoaded)
        QObject::connect(&window, &MainWindow::closed, &app, &QCoreApplication::quit, Qt::QueuedConnection);
    if (options.untilLoaded && !quitWhenLoaded(window, options, sinceStart, errorShown)) {
        std::fprintf(stderr, "gcscope-gui: error: the %s tab is not part of this build\n",
            options.tab.toLocal8Bit().constData());
        return 2;
    }
    if (!options.screenshot.isEmpty() && !options.untilLoaded)
        scheduleScreenshot(window, options, options.screenshotDelayMs);
    const int status = app.exec();
    finishKeeping(); // a dominator tree the views computed, still being written into its file
    return status == 0 && errorShown && (!options.screenshot.isEmpty() || options.untilLoaded) ? 1 : status;
}
