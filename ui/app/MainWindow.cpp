#include "app/MainWindow.h"

#include "app/AttachDialog.h"
#include "app/LaunchDialog.h"
#include "app/ProcessPicker.h"
#include "app/RecentFiles.h"
#include "app/RecordingController.h"
#include "app/RecordingPaths.h"
#include "app/ReportExporter.h"
#include "app/StartPage.h"
#include "core/DocumentContext.h"
#include "core/Format.h"
#include "core/UserMessages.h"
#include "dashboard/DashboardView.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>

#if __has_include("views/LeaksView.h")
#include "views/LeaksView.h"
#define GCSCOPE_HAVE_LEAKS_VIEW 1
#endif
#if __has_include("views/TypesView.h")
#include "views/TypesView.h"
#define GCSCOPE_HAVE_TYPES_VIEW 1
#endif
#if __has_include("views/SnapshotsView.h")
#include "views/SnapshotsView.h"
#define GCSCOPE_HAVE_SNAPSHOTS_VIEW 1
#endif
#if __has_include("views/InspectorView.h")
#include "views/InspectorView.h"
#define GCSCOPE_HAVE_INSPECTOR_VIEW 1
#endif
#if __has_include("views/CyclesView.h")
#include "views/CyclesView.h"
#define GCSCOPE_HAVE_CYCLES_VIEW 1
#endif

namespace gcscope::ui {

namespace {

const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kNoStringsKey = QStringLiteral("recording/noStrings");
const QString kNoForkKey = QStringLiteral("recording/noFork");
const QString kLastDirectoryKey = QStringLiteral("window/lastDirectory");

// A tab whose view is not part of this build.
[[maybe_unused]] QWidget* missingView(const QString& name, QWidget* parent)
{
    auto* label = new QLabel(QObject::tr("The %1 view is not part of this build.").arg(name), parent);
    label->setAlignment(Qt::AlignCenter);
    return label;
}

QIcon themed(const char* name, QStyle::StandardPixmap fallback, const QStyle* style)
{
    return QIcon::fromTheme(QLatin1String(name), style->standardIcon(fallback));
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , context_(new DocumentContext(this))
    , messages_(new UserMessages(this, this))
    , recording_(new RecordingController(context_, this))
    , recent_(new RecentFiles(this))
    , openJob_(this)
    , statusTimer_(new QTimer(this))
    , exporter_(new ReportExporter(this))
{
    setAcceptDrops(true);
    createViews();
    createActions();
    createMenus();

    recordingLabel_ = new QLabel(this);
    recordingLabel_->setObjectName(QStringLiteral("recordingStatus"));
    statusBar()->addPermanentWidget(recordingLabel_);
    statusTimer_->setInterval(1000);
    connect(statusTimer_, &QTimer::timeout, this, &MainWindow::updateRecordingStatus);

    connect(recording_, &RecordingController::stateChanged, this, [this] {
        updateActions();
        updateRecordingStatus();
        updateTitle();
        if (recording_->active())
            statusTimer_->start();
        else
            statusTimer_->stop();
        if (!recording_->active() && closeWhenStopped_)
            close();
    });
    connect(recording_, &RecordingController::started, this, [this](const RecordingStarted& info) {
        recent_->add(info.path);
        stack_->setCurrentWidget(tabs_);
        tabs_->setCurrentIndex(DashboardTab);
        statusBar()->showMessage(
            tr("Recording PID %1 into %2. Ctrl+T takes a heap snapshot, Ctrl+. stops.").arg(info.pid).arg(info.path),
            15000);
    });
    connect(recording_, &RecordingController::failed, this, &MainWindow::recordingFailed);
    connect(recording_, &RecordingController::finished, this, &MainWindow::recordingFinished);
    connect(recording_, &RecordingController::warning, this,
        [this](const QString& message) { statusBar()->showMessage(message, 10000); });
    connect(recording_, &RecordingController::snapshotSaved, this, [this](qint64 id) {
        statusBar()->showMessage(tr("Heap snapshot %1 saved").arg(id), 8000);
        updateActions();
    });
    connect(recording_, &RecordingController::snapshotFailed, this, [this](const QString& message) {
        messages_->showError({ tr("Snapshot failed"), message,
            tr("The recording goes on. A snapshot needs the target to run Python code briefly; try again.") });
        updateActions();
    });
    connect(dashboard_, &DashboardView::loaded, this, &MainWindow::updateRecordingStatus);
    connect(context_, &DocumentContext::databaseChanged, this, &MainWindow::updateActions);
    connect(exporter_, &ReportExporter::finished, this, [this](const QString& path) {
        updateActions();
        statusBar()->showMessage(tr("Leak report written to %1").arg(path), 15000);
        Q_EMIT reportExported(path);
    });
    connect(exporter_, &ReportExporter::failed, this, [this](const QString& message) {
        updateActions();
        statusBar()->clearMessage();
        messages_->showError({ tr("Cannot export the leak report"), message,
            tr("The report needs a recording session; suspects need censuses or snapshots. Choose another "
               "file name if it could not be written.") });
    });
    connect(context_, &DocumentContext::databaseChanged, this, &MainWindow::updateTitle);
    connect(context_, &DocumentContext::liveChanged, this, &MainWindow::updateTitle);
    connect(context_, &DocumentContext::inspectObjectRequested, this, [this] { showTab(InspectorTab); });
    connect(context_, &DocumentContext::inspectTypeRequested, this, [this] { showTab(InspectorTab); });

    restoreSettings();
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews()
{
    stack_ = new QStackedWidget(this);
    startPage_ = new StartPage(recent_, stack_);
    tabs_ = new QTabWidget(stack_);
    tabs_->setObjectName(QStringLiteral("mainTabs"));
    tabs_->setDocumentMode(true);
    dashboard_ = new DashboardView(context_, tabs_);
    tabs_->addTab(dashboard_, tr("&Dashboard"));
#ifdef GCSCOPE_HAVE_LEAKS_VIEW
    leaks_ = new LeaksView(context_, tabs_);
    tabs_->addTab(leaks_, tr("&Leaks"));
    // The suspects' count on the tab, so they are seen appearing from any other tab.
    connect(leaks_, &LeaksView::suspectCountChanged, this,
        [this](int count) { tabs_->setTabText(LeaksTab, count > 0 ? tr("&Leaks (%1)").arg(count) : tr("&Leaks")); });
#else
    tabs_->addTab(missingView(tr("Leaks"), tabs_), tr("&Leaks"));
#endif
#ifdef GCSCOPE_HAVE_TYPES_VIEW
    tabs_->addTab(new TypesView(context_, tabs_), tr("&Types"));
#else
    tabs_->addTab(missingView(tr("Types"), tabs_), tr("&Types"));
#endif
#ifdef GCSCOPE_HAVE_SNAPSHOTS_VIEW
    tabs_->addTab(new SnapshotsView(context_, tabs_), tr("&Snapshots"));
#else
    tabs_->addTab(missingView(tr("Snapshots"), tabs_), tr("&Snapshots"));
#endif
#ifdef GCSCOPE_HAVE_INSPECTOR_VIEW
    tabs_->addTab(new InspectorView(context_, tabs_), tr("&Inspector"));
#else
    tabs_->addTab(missingView(tr("Inspector"), tabs_), tr("&Inspector"));
#endif
#ifdef GCSCOPE_HAVE_CYCLES_VIEW
    tabs_->addTab(new CyclesView(context_, tabs_), tr("&Cycles"));
#else
    tabs_->addTab(missingView(tr("Cycles"), tabs_), tr("&Cycles"));
#endif
    stack_->addWidget(startPage_);
    stack_->addWidget(tabs_);
    setCentralWidget(stack_);

    connect(
        startPage_, &StartPage::attachRequested, this, [this](qint64 pid) { attachTo(pid, startPage_->outputPath()); });
    connect(startPage_, &StartPage::launchRequested, this, &MainWindow::showLaunchDialog);
    connect(startPage_, &StartPage::openRequested, this, &MainWindow::showOpenDialog);
    connect(startPage_, &StartPage::openFileRequested, this, &MainWindow::openDatabase);
    connect(startPage_, &StartPage::demoRequested, this, &MainWindow::runDemo);
}

void MainWindow::createActions()
{
    const QStyle* s = style();
    openAction_ = new QAction(themed("document-open", QStyle::SP_DialogOpenButton, s), tr("&Open…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    openAction_->setToolTip(tr("Open a gcscope recording (Ctrl+O)"));
    connect(openAction_, &QAction::triggered, this, &MainWindow::showOpenDialog);

    attachAction_ = new QAction(themed("call-start", QStyle::SP_CommandLink, s), tr("&Attach…"), this);
    attachAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    attachAction_->setToolTip(tr("Attach to a running Python process and record it (Ctrl+Shift+A)"));
    connect(attachAction_, &QAction::triggered, this, &MainWindow::showAttachDialog);

    launchAction_ = new QAction(themed("system-run", QStyle::SP_MediaPlay, s), tr("&Launch…"), this);
    launchAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    launchAction_->setToolTip(tr("Start a Python script under the profiler (Ctrl+Shift+L)"));
    connect(launchAction_, &QAction::triggered, this, &MainWindow::showLaunchDialog);

    demoAction_ = new QAction(tr("Run the &Demo"), this);
    demoAction_->setToolTip(tr("Record the bundled leaking demo service"));
    demoAction_->setEnabled(!demoScriptPath().isEmpty());
    connect(demoAction_, &QAction::triggered, this, &MainWindow::runDemo);

    exportAction_ = new QAction(tr("&Export Leak Report…"), this);
    exportAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction_->setToolTip(ReportExporter::available()
            ? tr("Write the leak report of the shown session as HTML, JSON or Markdown (Ctrl+E)")
            : tr("Leak reports are not part of this build"));
    connect(exportAction_, &QAction::triggered, this, &MainWindow::showExportDialog);

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    quitAction_->setMenuRole(QAction::QuitRole);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    snapshotAction_ = new QAction(themed("camera-photo", QStyle::SP_DialogSaveButton, s), tr("Take &Snapshot"), this);
    snapshotAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    snapshotAction_->setToolTip(tr("Take a heap snapshot of the recorded process (Ctrl+T)"));
    connect(snapshotAction_, &QAction::triggered, this, &MainWindow::takeSnapshot);

    stopAction_ = new QAction(themed("media-playback-stop", QStyle::SP_MediaStop, s), tr("S&top"), this);
    stopAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    stopAction_->setToolTip(tr("Stop recording and detach; a launched script is ended (Ctrl+.)"));
    connect(stopAction_, &QAction::triggered, this, &MainWindow::stopRecording);

    noStringsAction_ = new QAction(tr("Leave String &Contents Out of Snapshots"), this);
    noStringsAction_->setObjectName(QStringLiteral("noStringsAction"));
    noStringsAction_->setCheckable(true);
    noStringsAction_->setChecked(QSettings().value(kNoStringsKey, false).toBool());
    noStringsAction_->setToolTip(tr("For processes holding secrets: heap snapshots of the next recordings keep no "
                                    "string contents, like gcscope --no-strings"));
    connect(noStringsAction_, &QAction::toggled, this, [](bool on) { QSettings().setValue(kNoStringsKey, on); });

    noForkAction_ = new QAction(tr("&Walk Snapshots in the Target"), this);
    noForkAction_->setObjectName(QStringLiteral("noForkAction"));
    noForkAction_->setCheckable(true);
    noForkAction_->setChecked(QSettings().value(kNoForkKey, false).toBool());
    noForkAction_->setToolTip(tr("Heap snapshots of the next recordings are walked in the target, which pauses for "
                                 "the whole walk, instead of by a copy-on-write child of it (a pause of "
                                 "milliseconds), like gcscope --no-fork"));
    connect(noForkAction_, &QAction::toggled, this, [](bool on) { QSettings().setValue(kNoForkKey, on); });

    startPageAction_ = new QAction(themed("go-home", QStyle::SP_DirHomeIcon, s), tr("Start &Page"), this);
    startPageAction_->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Home));
    connect(startPageAction_, &QAction::triggered, this, &MainWindow::showStartPage);

    for (int i = 0; i < tabs_->count(); ++i) {
        auto* action = new QAction(tabs_->tabText(i), this);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { showTab(i); });
        tabActions_ << action;
    }
#ifdef GCSCOPE_HAVE_LEAKS_VIEW
    leaks_->setExportAction(exportAction_);
#endif
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(attachAction_);
    file->addAction(launchAction_);
    file->addAction(demoAction_);
    file->addSeparator();
    file->addAction(exportAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* recording = menuBar()->addMenu(tr("&Recording"));
    recording->addAction(snapshotAction_);
    recording->addAction(stopAction_);
    recording->addSeparator();
    recording->addAction(noStringsAction_);
    recording->addAction(noForkAction_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(startPageAction_);
    view->addSeparator();
    view->addActions(tabActions_);
    view->addSeparator();
    view->addAction(dashboard_->resetZoomAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About gcscope"), this, [this] {
        QMessageBox::about(this, tr("About gcscope"),
            tr("<h3>gcscope %1</h3><p>A garbage collector and heap profiler for running CPython processes.</p>"
               "<p>Attach to a live process by PID, watch its collector, take heap snapshots, and find what "
               "leaks and what holds it.</p>")
                .arg(QStringLiteral(GCSCOPE_VERSION)));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(startPageAction_);
    toolbar->addAction(openAction_);
    toolbar->addAction(attachAction_);
    toolbar->addAction(launchAction_);
    toolbar->addSeparator();
    toolbar->addAction(snapshotAction_);
    toolbar->addAction(stopAction_);
}

void MainWindow::fillRecentMenu()
{
    recentMenu_->clear();
    const auto files = recent_->files();
    for (const QString& f : files)
        recentMenu_->addAction(QFileInfo(f).fileName(), this, [this, f] { openDatabase(f); })->setToolTip(f);
    if (files.isEmpty())
        recentMenu_->addAction(tr("(none)"))->setEnabled(false);
    else {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear List"), recent_, &RecentFiles::clear);
    }
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) {
        const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        resize(std::min(1280, available.width()), std::min(800, available.height()));
    }
    restoreState(settings.value(kStateKey).toByteArray());
}

bool MainWindow::showingStartPage() const
{
    return stack_->currentWidget() == startPage_;
}

void MainWindow::showStartPage()
{
    stack_->setCurrentWidget(startPage_);
}

void MainWindow::showTab(int index)
{
    stack_->setCurrentWidget(tabs_);
    tabs_->setCurrentIndex(index);
}

void MainWindow::showOpenDialog()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Recording"),
        settings.value(kLastDirectoryKey).toString(), tr("gcscope recordings (*.db);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(kLastDirectoryKey, QFileInfo(path).absolutePath());
    openDatabase(path);
}

void MainWindow::openDatabase(const QString& given)
{
    const QString path = QFileInfo(given).absoluteFilePath();
    statusBar()->showMessage(tr("Opening %1…").arg(path));
    openJob_.start(
        [path] {
            // Validates header, identity and schema version; reading never modifies the file.
            const auto db = storage::Database::openForReading(path.toStdString());
            const storage::Reader reader(db);
            return OpenedFile { path, static_cast<qint64>(reader.sessions().size()),
                static_cast<qint64>(reader.snapshots().size()) };
        },
        [this, path](JobOutcome<OpenedFile> outcome) {
            statusBar()->clearMessage();
            if (outcome.value) {
                showDatabase(*outcome.value);
                return;
            }
            const QString message = outcome.error.isEmpty() ? tr("%1: cannot be opened").arg(path) : outcome.error;
            messages_->showError({ tr("Cannot open recording"), message,
                tr("Choose a file recorded by gcscope (gcscope record, run or snapshot, or this application). "
                   "The file was not changed.") });
            Q_EMIT openFailed(message);
        });
}

void MainWindow::showDatabase(const OpenedFile& file)
{
    context_->setDatabasePath(file.path);
    context_->setLive(recording_->active() && recording_->current().path == file.path);
    recent_->add(file.path);
    stack_->setCurrentWidget(tabs_);
    // A file of snapshots only (gcscope snapshot) has nothing for the dashboard.
    tabs_->setCurrentIndex(file.sessions == 0 && file.snapshots > 0 ? SnapshotsTab : DashboardTab);
    statusBar()->showMessage(tr("%1: %2 %3, %4 %5")
                                 .arg(QFileInfo(file.path).fileName())
                                 .arg(file.sessions)
                                 .arg(file.sessions == 1 ? tr("session") : tr("sessions"))
                                 .arg(file.snapshots)
                                 .arg(file.snapshots == 1 ? tr("heap snapshot") : tr("heap snapshots")),
        8000);
    Q_EMIT databaseOpened(file.path);
}

void MainWindow::showAttachDialog()
{
    if (recording_->active())
        return;
    auto* dialog = new AttachDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const auto request = dialog->request();
        if (request.pid > 0)
            startRecording(request);
    });
    dialog->open();
}

void MainWindow::showLaunchDialog()
{
    if (recording_->active())
        return;
    auto* dialog = new LaunchDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startRecording(dialog->request()); });
    dialog->open();
}

void MainWindow::attachTo(qint64 pid, const QString& outputPath)
{
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Attach;
    request.pid = pid;
    request.outputPath = outputPath;
    startRecording(request);
}

void MainWindow::runDemo()
{
    const QString script = demoScriptPath();
    if (script.isEmpty()) {
        messages_->showError({ tr("Cannot run the demo"), tr("The demo script leaky_service.py is not installed."),
            tr("Reinstall gcscope, or launch demo/leaky_service.py from a source checkout with File → Launch.") });
        return;
    }
    RecordingRequest request;
    request.kind = RecordingRequest::Kind::Launch;
    request.command << defaultInterpreter() << QStringLiteral("-u") << script;
    request.workingDirectory = QFileInfo(script).absolutePath();
    request.outputPath = defaultRecordingPath(QStringLiteral("demo"));
    request.censusEveryMs = 1000; // a livelier tracked-objects line for the demo
    startRecording(request);
}

void MainWindow::startRecording(const RecordingRequest& request)
{
    lastKind_ = request.kind;
    RecordingRequest wanted = request;
    wanted.noStrings = wanted.noStrings || noStringsAction_->isChecked();
    wanted.noFork = wanted.noFork || noForkAction_->isChecked();
    if (!recording_->start(wanted)) {
        messages_->showError({ tr("Already recording"), tr("A recording is already running."),
            tr("Stop it first (Ctrl+.), then start the next one.") });
        return;
    }
    statusBar()->showMessage(request.kind == RecordingRequest::Kind::Attach
            ? tr("Attaching to PID %1…").arg(request.pid)
            : tr("Starting %1…").arg(request.command.join(QLatin1Char(' '))));
}

void MainWindow::recordingFailed(const QString& message)
{
    statusBar()->clearMessage();
    if (lastKind_ == RecordingRequest::Kind::Attach)
        messages_->showError({ tr("Cannot attach"), message,
            tr("gcscope attaches to CPython 3.11 processes it may trace (its own user's, or any as root). The "
               "start page says for each process whether it can, and why not.") });
    else
        messages_->showError({ tr("Cannot launch"), message,
            tr("Check the script and the Python interpreter (CPython 3.11), then try again.") });
}

void MainWindow::recordingFinished(const RecordingEnded& ended)
{
    if (!ended.error.isEmpty()) {
        messages_->showError({ tr("The recording stopped with an error"), ended.error,
            tr("What was recorded until then is saved in %1.").arg(ended.path) });
        return;
    }
    QString text = tr("Recording saved to %1: %2 samples, %3 collections, %4 censuses, %5 snapshots (%6)")
                       .arg(QFileInfo(ended.path).fileName())
                       .arg(ended.samples)
                       .arg(ended.gcEvents)
                       .arg(ended.censuses)
                       .arg(ended.snapshots)
                       .arg(ended.endReason);
    if (!ended.commandStatus.isEmpty())
        text += tr("; the script %1").arg(ended.commandStatus);
    statusBar()->showMessage(text, 20000);
}

void MainWindow::showExportDialog()
{
    if (context_->databasePath().isEmpty() || exporter_->busy())
        return;
    const QFileInfo db(context_->databasePath());
    QString selectedFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Leak Report"),
        db.dir().filePath(db.completeBaseName() + QStringLiteral("-report.html")),
        tr("HTML report (*.html);;JSON report (*.json);;Markdown report (*.md)"), &selectedFilter);
    if (!path.isEmpty())
        exportReport(path);
}

void MainWindow::exportReport(const QString& outputPath)
{
    if (context_->databasePath().isEmpty() || exporter_->busy())
        return;
    exporter_->exportReport(context_->databasePath(), context_->sessionId(), outputPath);
    statusBar()->showMessage(tr("Building the leak report (this analyses the snapshots)…"));
    updateActions();
}

void MainWindow::takeSnapshot()
{
    if (recording_->state() != RecordingController::State::Recording)
        return;
    recording_->takeSnapshot();
    statusBar()->showMessage(tr("Taking a heap snapshot of PID %1…").arg(recording_->current().pid));
}

void MainWindow::stopRecording()
{
    if (!recording_->active())
        return;
    recording_->stop();
    statusBar()->showMessage(tr("Stopping: the agent detaches…"));
}

void MainWindow::updateActions()
{
    const auto state = recording_->state();
    const bool idle = state == RecordingController::State::Idle;
    attachAction_->setEnabled(idle);
    launchAction_->setEnabled(idle);
    demoAction_->setEnabled(idle && !demoScriptPath().isEmpty());
    snapshotAction_->setEnabled(state == RecordingController::State::Recording);
    exportAction_->setEnabled(ReportExporter::available() && !context_->databasePath().isEmpty() && !exporter_->busy());
    stopAction_->setEnabled(
        state == RecordingController::State::Starting || state == RecordingController::State::Recording);
}

void MainWindow::updateTitle()
{
    QString title = QStringLiteral("gcscope");
    if (!context_->databasePath().isEmpty())
        title = QFileInfo(context_->databasePath()).fileName() + QStringLiteral(" — gcscope");
    if (context_->isLive())
        title = tr("● Recording — %1").arg(title);
    setWindowTitle(title);
}

void MainWindow::updateRecordingStatus()
{
    switch (recording_->state()) {
    case RecordingController::State::Idle:
        recordingLabel_->clear();
        return;
    case RecordingController::State::Starting:
        recordingLabel_->setText(tr("Attaching…"));
        return;
    case RecordingController::State::Stopping:
        recordingLabel_->setText(tr("Stopping…"));
        return;
    case RecordingController::State::Recording:
        break;
    }
    const auto& info = recording_->current();
    QString text = tr("● Recording PID %1 · Python %2 · %3")
                       .arg(info.pid)
                       .arg(info.pythonVersion, display::elapsed(recording_->elapsedSeconds()));
    const auto& shown = dashboard_->series().session();
    if (context_->isLive() && shown && shown->pid == info.pid)
        text += tr(" · %1 samples").arg(display::count(dashboard_->series().totals().samples));
    if (recording_->pendingSnapshots() > 0)
        text += tr(" · taking a snapshot…");
    recordingLabel_->setText(text);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (recording_->active()) {
        // Detach cleanly first (the target must be left as it was); close once the worker is done.
        closeWhenStopped_ = true;
        recording_->stop();
        statusBar()->showMessage(tr("Stopping the recording before quitting…"));
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    QMainWindow::closeEvent(event);
    Q_EMIT closed();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) {
        event->acceptProposedAction();
        openDatabase(urls.first().toLocalFile());
    }
}

} // namespace gcscope::ui
