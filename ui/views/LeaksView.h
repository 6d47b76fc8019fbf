// Leaks: the leak report of the shown session as a view. A headline that follows the report's
// verdict (suspects, no steady growth, or cannot decide yet and what to do); one row per suspect
// with its evidence, growth, sparkline, retained size and owner; for the selected one why it is a
// suspect, its owner, the snapshot evidence, what grows with it and the retention path from a root;
// and the largest accumulation points of the last snapshot (not leaks by themselves). "Inspect
// Instance" / "Inspect Owner" (and double-clicks) open the inspector on the report's snapshot.
//
// The report is built off the GUI thread (report::buildReport, as `gcscope report` does) when a file
// or session is shown; while a recording writes the file it is rebuilt when a census or snapshot
// lands, at most once every few seconds and never two at once, keeping the selected suspect.
#pragma once

#include "report/LeakReport.h"
#include "views/LeakReportLoad.h"

#include <QElapsedTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QAction;
class QFrame;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTextBrowser;
class QTimer;
class QTreeView;

namespace gcscope::ui {

class AccumulationModel;
class BackgroundJob;
class DocumentContext;
class LeakSuspectModel;
class ReportPathModel;

class LeaksView : public QWidget {
    Q_OBJECT
public:
    enum class State {
        NoFile, // no recording open
        Building, // the first report of this file or session is being built
        NoSession, // the file holds no recording sessions (gcscope snapshot only)
        Shown, // a report is shown
        Failed, // building failed: errorText() says why
        Cancelled, // the user cancelled building
    };

    explicit LeaksView(DocumentContext* context, QWidget* parent = nullptr);
    ~LeaksView() override;

    // For tests and the main window.
    LeakSuspectModel* model() const { return model_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    AccumulationModel* accumulationModel() const { return accumulations_; }
    ReportPathModel* pathModel() const { return path_; }
    QTreeView* table() const { return table_; }
    QTreeView* pathView() const { return pathView_; }
    QTreeView* accumulationView() const { return accumulationView_; }
    QLabel* headline() const { return headline_; }
    QLabel* meta() const { return meta_; }
    QTextBrowser* details() const { return details_; }
    QPushButton* inspectInstanceButton() const { return inspectInstance_; }
    QPushButton* inspectOwnerButton() const { return inspectOwner_; }
    std::shared_ptr<const report::LeakReport> report() const { return report_; }
    State state() const { return state_; }
    QString errorText() const { return error_; }
    bool isLoading() const;
    QString selectedType() const;
    void selectType(const QString& type);

    // Offers the main window's File → Export Leak Report… action as a button beside the headline.
    void setExportAction(QAction* action);
    // The shortest gap between two live rebuilds (default 3 s); twice the last build's time when longer.
    void setRefreshInterval(int milliseconds) { refreshIntervalMs_ = milliseconds; }

public Q_SLOTS:
    void reload(); // builds the report again, showing progress (F5)
    void inspectInstance(); // the selected suspect's representative instance, in the inspector
    void inspectOwner(); // the selected suspect's owner, in the inspector

Q_SIGNALS:
    void loaded(); // a report was built and is shown (also after each live rebuild)
    void loadFailed(const QString& error); // a build failed and no report is shown (not a quiet live rebuild)
    void suspectCountChanged(int count); // -1 when no report is shown

protected:
    void changeEvent(QEvent* event) override;

private:
    void refresh(); // a quiet rebuild while live, unless the evidence is unchanged
    void scheduleRefresh();
    void apply(LoadedLeakReport result);
    void failed(const QString& error, bool quiet);
    void buildDone();
    void clearReport();
    void showSelected();
    void showHeadline();
    void applyTone();
    void inspectAddress(quint64 address);
    const report::Suspect* selectedSuspect() const;

    DocumentContext* context_;
    BackgroundJob* job_; // the first build of a file or session (progress shown, cancellable)
    BackgroundJob* refreshJob_; // live rebuilds, quiet
    std::shared_ptr<const report::LeakReport> report_;
    std::optional<LeakEvidence> evidence_;
    State state_ = State::NoFile;
    QString error_;
    QString refreshError_; // the last live rebuild failed: shown small, retried at the next one
    QString updatedAt_;
    QTimer* refreshTimer_;
    QElapsedTimer sinceBuild_;
    int refreshIntervalMs_ = 3000;
    qint64 lastBuildMs_ = 0;
    bool refreshWhenDone_ = false;
    int lastSuspectCount_ = -2;

    LeakSuspectModel* model_;
    QSortFilterProxyModel* proxy_;
    AccumulationModel* accumulations_;
    ReportPathModel* path_;

    QFrame* banner_;
    QHBoxLayout* bannerLayout_;
    QLabel* headline_;
    QLabel* meta_;
    QTreeView* table_;
    QTextBrowser* details_;
    QPushButton* inspectInstance_;
    QPushButton* inspectOwner_;
    QWidget* pathPane_;
    QLabel* pathTitle_;
    QTreeView* pathView_;
    QWidget* accumulationPane_;
    QLabel* accumulationTitle_;
    QTreeView* accumulationView_;
    QSplitter* splitter_;
    QSplitter* detailSplitter_;
};

} // namespace gcscope::ui
