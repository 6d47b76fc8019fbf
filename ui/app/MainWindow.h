// The application window: the start page until a recording is open, then the tabs (Dashboard,
// Leaks, Types, Snapshots, Inspector, Cycles) over one DocumentContext; the menus and toolbar; live
// recording through a RecordingController; the status bar; settings and window state.
#pragma once

#include "app/RecordingRequest.h"
#include "core/LatestJob.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QTimer;

namespace gcscope::ui {

class DashboardView;
class DocumentContext;
class LeaksView;
class RecentFiles;
class RecordingController;
class ReportExporter;
class StartPage;
class UserMessages;

// What opening a file found out, on a worker thread, before the views load it.
struct OpenedFile {
    QString path;
    qint64 sessions = 0;
    qint64 snapshots = 0;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    DocumentContext* context() const { return context_; }
    UserMessages* messages() const { return messages_; }
    RecordingController* recording() const { return recording_; }
    DashboardView* dashboard() const { return dashboard_; }
    LeaksView* leaks() const { return leaks_; } // null when the view is not part of this build
    StartPage* startPage() const { return startPage_; }
    QTabWidget* tabs() const { return tabs_; }
    bool showingStartPage() const;

    enum TabIndex { DashboardTab, LeaksTab, TypesTab, SnapshotsTab, InspectorTab, CyclesTab };

public Q_SLOTS:
    // Validates the file off the GUI thread; shows it, or an error dialog (the file is never changed).
    void openDatabase(const QString& path);
    void showOpenDialog();
    void showAttachDialog();
    void showLaunchDialog();
    void attachTo(qint64 pid, const QString& outputPath = {});
    void startRecording(const RecordingRequest& request);
    void runDemo();
    void showExportDialog();
    void exportReport(const QString& outputPath); // the format follows the suffix: .html, .json, .md
    void takeSnapshot();
    void stopRecording();
    void showStartPage();
    void showTab(int index);

Q_SIGNALS:
    void databaseOpened(const QString& path);
    void openFailed(const QString& message);
    void reportExported(const QString& path);
    void closed(); // the window accepted a close (after a recording stopped cleanly)

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createViews();
    void createActions();
    void createMenus();
    void restoreSettings();
    void updateActions();
    void updateTitle();
    void updateRecordingStatus();
    void fillRecentMenu();
    void showDatabase(const OpenedFile& file);
    void recordingFailed(const QString& message);
    void recordingFinished(const RecordingEnded& ended);

    DocumentContext* context_;
    UserMessages* messages_;
    RecordingController* recording_;
    RecentFiles* recent_;
    LatestJob<OpenedFile> openJob_;
    RecordingRequest::Kind lastKind_ = RecordingRequest::Kind::Attach;
    bool closeWhenStopped_ = false;

    QStackedWidget* stack_;
    StartPage* startPage_;
    QTabWidget* tabs_;
    DashboardView* dashboard_;
    LeaksView* leaks_ = nullptr;
    QLabel* recordingLabel_;
    QTimer* statusTimer_;
    ReportExporter* exporter_;

    QAction* openAction_;
    QAction* attachAction_;
    QAction* launchAction_;
    QAction* demoAction_;
    QAction* exportAction_;
    QAction* quitAction_;
    QAction* snapshotAction_;
    QAction* stopAction_;
    QAction* noStringsAction_;
    QAction* noForkAction_;
    QAction* startPageAction_;
    QList<QAction*> tabActions_;
    QMenu* recentMenu_ = nullptr;
};

} // namespace gcscope::ui
