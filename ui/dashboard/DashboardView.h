// The Dashboard tab: the GC telemetry of one session of the open file, as five charts on one
// shared time axis with a summary strip above them. Loads off the GUI thread; while a recording
// is live it appends only the rows committed since the last load, so the window never waits.
#pragma once

#include "discovery/version_support.h"

#include <array>

#include "core/LatestJob.h"
#include "dashboard/DashboardData.h"

#include <QWidget>

#include <vector>

class QAction;
class QComboBox;
class QLabel;
class QStackedWidget;

namespace gcscope::ui {

class DocumentContext;
class SessionListModel;
class SharedTimeAxis;
class SummaryStrip;
class TimeChartView;

class DashboardView : public QWidget {
    Q_OBJECT
public:
    explicit DashboardView(DocumentContext* context, QWidget* parent = nullptr);

    const DashboardSeries& series() const { return series_; }
    SharedTimeAxis* timeAxis() const { return axis_; }
    SummaryStrip* summary() const { return summary_; }
    SessionListModel* sessionModel() const { return sessions_; }
    const std::vector<TimeChartView*>& charts() const { return charts_; }
    bool loading() const { return job_.busy(); }
    // "Reset Zoom" (Ctrl+0), for the window's View menu; enable it while the dashboard shows.
    QAction* resetZoomAction() const { return resetZoom_; }

public Q_SLOTS:
    void reload(); // everything of the chosen session
    void loadNewRows(); // only what a live recording committed since the last load
    void resetZoom();

Q_SIGNALS:
    void loaded(); // a load (full or incremental) was applied
    void loadFailed(const QString& message);

private:
    void buildCharts(QWidget* into);
    void startLoad(bool incremental);
    void apply(DashboardChunk chunk);
    void showState();
    void sessionChosen(int row);
    // Legends and axes name the generations as the recorded collector has them.
    void nameGenerations(discovery::GcModel model);

    DocumentContext* context_;
    LatestJob<DashboardChunk> job_;
    bool loadAgain_ = false; // rows arrived while a load ran
    DashboardSeries series_;
    SharedTimeAxis* axis_;
    SessionListModel* sessions_;
    QComboBox* sessionChooser_;
    QLabel* sessionLabel_;
    SummaryStrip* summary_;
    QStackedWidget* pages_;
    QLabel* placeholder_;
    std::vector<TimeChartView*> charts_;
    TimeChartView* pauseChart_ = nullptr;
    std::array<TimeChartView*, 3> generationCharts_ {}; // counts, collections, pauses
    QAction* resetZoom_;
};

} // namespace gcscope::ui
