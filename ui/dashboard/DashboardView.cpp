#include "dashboard/DashboardView.h"

#include "discovery/version_support.h"

#include "core/DocumentContext.h"
#include "core/Format.h"
#include "dashboard/ChartStyle.h"
#include "dashboard/DashboardLoader.h"
#include "dashboard/SessionListModel.h"
#include "dashboard/SharedTimeAxis.h"
#include "dashboard/SummaryStrip.h"
#include "dashboard/TimeChartView.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace gcscope::ui {

namespace {

QString megabytes(double v)
{
    return QString::number(v, 'f', 1) + QStringLiteral(" MiB");
}

TrackStyle track(Track t, const QString& name, const QColor& colour, TrackStyle::Shape shape = TrackStyle::Shape::Line,
    bool right = false, std::function<QString(double)> format = {})
{
    return TrackStyle { t, name, colour, shape, right, std::move(format) };
}

Track generationTrack(Track first, int g)
{
    return static_cast<Track>(static_cast<int>(first) + g);
}

} // namespace

DashboardView::DashboardView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , job_(this)
    , axis_(new SharedTimeAxis(this))
    , sessions_(new SessionListModel(this))
{
    auto* layout = new QVBoxLayout(this);

    auto* header = new QHBoxLayout;
    sessionChooser_ = new QComboBox(this);
    sessionChooser_->setObjectName(QStringLiteral("sessionChooser"));
    sessionChooser_->setModel(sessions_);
    sessionChooser_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    sessionChooser_->setToolTip(tr("This file holds several recording sessions: choose the one to show"));
    sessionChooser_->hide();
    connect(sessionChooser_, &QComboBox::activated, this, &DashboardView::sessionChosen);
    sessionLabel_ = new QLabel(this);
    sessionLabel_->setObjectName(QStringLiteral("sessionLabel"));
    sessionLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sessionLabel_->setSizePolicy(
        QSizePolicy::Ignored, QSizePolicy::Preferred); // long command lines must not widen the window
    auto* reset = new QToolButton(this);
    resetZoom_ = new QAction(tr("Reset Zoom"), this);
    resetZoom_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    resetZoom_->setToolTip(tr("Show the whole session again (Ctrl+0, or double-click a chart)"));
    connect(resetZoom_, &QAction::triggered, this, &DashboardView::resetZoom);
    reset->setDefaultAction(resetZoom_);
    header->addWidget(sessionChooser_);
    header->addWidget(sessionLabel_, 1);
    header->addWidget(reset);
    layout->addLayout(header);

    summary_ = new SummaryStrip(this);
    layout->addWidget(summary_);

    pages_ = new QStackedWidget(this);
    placeholder_ = new QLabel(this);
    placeholder_->setAlignment(Qt::AlignCenter);
    placeholder_->setWordWrap(true);
    placeholder_->setObjectName(QStringLiteral("dashboardPlaceholder"));
    pages_->addWidget(placeholder_);
    auto* chartsPage = new QWidget(this);
    buildCharts(chartsPage);
    pages_->addWidget(chartsPage);
    layout->addWidget(pages_, 1);

    auto* hint
        = new QLabel(tr("Drag to zoom · Shift+drag or middle button to pan · wheel zooms · double-click resets · "
                        "click a legend entry to hide it"),
            this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    hint->setWordWrap(true);
    layout->addWidget(hint);

    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        series_ = DashboardSeries {};
        sessions_->setSessions({});
        axis_->reset();
        reload();
    });
    connect(context_, &DocumentContext::sessionChanged, this, [this] {
        if (!context_->sessionId() || !series_.session() || series_.session()->id != *context_->sessionId()) {
            axis_->reset();
            reload();
        }
    });
    connect(context_, &DocumentContext::dataAppended, this, &DashboardView::loadNewRows);
    connect(context_, &DocumentContext::snapshotsChanged, this, &DashboardView::loadNewRows);
    connect(context_, &DocumentContext::liveChanged, this, &DashboardView::loadNewRows);
    showState();
    if (!context_->databasePath().isEmpty())
        reload();
}

void DashboardView::buildCharts(QWidget* into)
{
    auto* grid = new QGridLayout(into);
    grid->setContentsMargins(0, 0, 0, 0);
    using Shape = TrackStyle::Shape;

    auto* generations = new TimeChartView(tr("Generations: gc.get_count() against the thresholds"), axis_, into);
    generations->setAxisTitles(tr("gen 0"), tr("gen 1 / gen 2"));
    for (int g = 0; g < 3; ++g) {
        generations->addTrack(
            track(generationTrack(Track::Count0, g), tr("gen %1").arg(g), generationColour(g), Shape::Line, g > 0));
        generations->addTrack(track(generationTrack(Track::Threshold0, g), tr("threshold %1").arg(g),
            generationColour(g), Shape::Dashed, g > 0));
    }

    auto* collections = new TimeChartView(tr("Collections since the recording started"), axis_, into);
    collections->setAxisTitles(tr("gen 0"), tr("gen 1 / gen 2"));
    for (int g = 0; g < 3; ++g)
        collections->addTrack(track(
            generationTrack(Track::Collections0, g), tr("gen %1").arg(g), generationColour(g), Shape::Line, g > 0));

    pauseChart_ = new TimeChartView(tr("GC pause per collection"), axis_, into);
    pauseChart_->setAxisTitles(tr("ms"));
    for (int g = 0; g < 3; ++g)
        pauseChart_->addTrack(track(generationTrack(Track::Pause0, g), tr("gen %1").arg(g), generationColour(g),
            Shape::Points, false, [](double ms) { return display::milliseconds(ms); }));
    // 3.15+ report their own duration of each collection: shown beside gcscope's measurement.
    pauseChart_->addTrack(track(Track::PythonPause, tr("CPython's own timing"), pythonPauseColour(),
        Shape::Rings, false, [](double ms) { return display::milliseconds(ms); }));
    pauseChart_->setTrackAvailable(Track::PythonPause, false);
    generationCharts_ = { generations, collections, pauseChart_ };

    auto* freed = new TimeChartView(tr("Objects freed by the collector since the recording started"), axis_, into);
    freed->setAxisTitles(tr("collected"), tr("uncollectable"));
    freed->addTrack(track(Track::Collected, tr("collected"), collectedColour()));
    freed->addTrack(track(Track::Uncollectable, tr("uncollectable"), uncollectableColour(), Shape::Line, true));

    auto* memory = new TimeChartView(tr("Memory: resident set size and GC-tracked objects"), axis_, into);
    memory->setAxisTitles(tr("MiB"), tr("objects"));
    memory->addTrack(track(Track::RssMiB, tr("RSS"), rssColour(), Shape::Line, false, megabytes));
    memory->addTrack(
        track(Track::TrackedObjects, tr("tracked objects (census)"), trackedObjectsColour(), Shape::Line, true));

    grid->addWidget(generations, 0, 0);
    grid->addWidget(collections, 0, 1);
    grid->addWidget(pauseChart_, 1, 0);
    grid->addWidget(freed, 1, 1);
    grid->addWidget(memory, 2, 0, 1, 2);
    charts_ = { generations, collections, pauseChart_, freed, memory };
    for (auto* chart : charts_)
        chart->setData(&series_);
}

void DashboardView::reload()
{
    if (context_->databasePath().isEmpty()) {
        job_.cancel();
        series_ = DashboardSeries {};
        sessions_->setSessions({});
        summary_->clear();
        showState();
        return;
    }
    startLoad(false);
}

void DashboardView::loadNewRows()
{
    if (context_->databasePath().isEmpty())
        return;
    if (job_.busy()) {
        loadAgain_ = true; // picked up when the running load is delivered
        return;
    }
    startLoad(series_.session().has_value());
}

void DashboardView::startLoad(bool incremental)
{
    DashboardRequest request;
    request.path = context_->databasePath().toStdString();
    request.sessionId = context_->sessionId();
    if (incremental && series_.session()) {
        request.loadedSession = series_.session()->id;
        request.after = series_.cursor();
        request.baseline = series_.baseline();
    }
    loadAgain_ = false;
    job_.start([request] { return loadDashboard(request); },
        [this](JobOutcome<DashboardChunk> outcome) {
            if (outcome.value)
                apply(std::move(*outcome.value));
            else {
                placeholder_->setText(tr("Cannot read this recording:\n%1").arg(outcome.error));
                pages_->setCurrentWidget(placeholder_);
                Q_EMIT loadFailed(outcome.error);
            }
            if (loadAgain_)
                loadNewRows();
        });
}

void DashboardView::apply(DashboardChunk chunk)
{
    if (chunk.incremental && series_.session() && chunk.session && series_.session()->id == chunk.session->id)
        series_.append(chunk);
    else
        series_.reset(std::move(chunk));

    sessions_->setSessions(series_.sessions());
    sessionChooser_->setVisible(sessions_->rowCount() > 1);
    if (series_.session()) {
        sessionChooser_->setCurrentIndex(sessions_->rowOf(series_.session()->id));
        const auto& s = *series_.session();
        QStringList argv;
        for (const auto& a : s.argv)
            argv << QString::fromStdString(a);
        const QString form = s.agentForm.empty() ? QString()
            : s.agentForm == "portable"          ? tr(" (portable agent)")
                                                 : tr(" (exact agent)");
        sessionLabel_->setText(tr("PID %1 · Python %2%3 · %4")
                                   .arg(s.pid)
                                   .arg(QString::fromStdString(s.pythonVersion), form, argv.join(QLatin1Char(' '))));
        nameGenerations(discovery::gcModelNamed(s.gcModel));
        sessionLabel_->setToolTip(tr("%1\nSample every %2 ms, census every %3 s")
                                      .arg(SessionListModel::describe(s))
                                      .arg(s.intervalMs)
                                      .arg(s.censusEveryMs / 1000.0));
    } else {
        sessionLabel_->clear();
    }

    const auto& totals = series_.totals();
    const double duration = series_.duration();
    QString pauseTitle = tr("GC pause per collection: %1 in total").arg(display::milliseconds(totals.pauseTotalMs));
    if (duration > 0)
        pauseTitle += tr(", %1 of wall time").arg(display::percent(totals.pauseTotalMs / 1000 / duration));
    pauseTitle += tr("; longest %1").arg(display::milliseconds(totals.pauseMaxMs));
    pauseChart_->setTitle(pauseTitle);
    if (totals.pythonTimed > 0)
        pauseChart_->setTrackName(Track::PythonPause,
            tr("CPython's own timing: %1, longest %2")
                .arg(display::milliseconds(totals.pythonPauseTotalMs), display::milliseconds(totals.pythonPauseMaxMs)));
    pauseChart_->setTrackAvailable(Track::PythonPause, totals.pythonTimed > 0);

    summary_->showSeries(series_, context_->isLive());
    axis_->setExtent(duration);
    for (auto* chart : charts_)
        chart->scheduleRefresh();
    showState();
    Q_EMIT loaded();
}

void DashboardView::nameGenerations(discovery::GcModel model)
{
    for (int g = 0; g < 3; ++g) {
        const QString name = QString::fromStdString(discovery::generationName(model, g));
        for (auto* chart : generationCharts_)
            for (Track first : { Track::Count0, Track::Collections0, Track::Pause0 })
                chart->setTrackName(generationTrack(first, g), name);
        generationCharts_[0]->setTrackName(
            generationTrack(Track::Threshold0, g), tr("threshold %1").arg(g));
    }
    const bool incremental = model == discovery::GcModel::Incremental;
    for (auto* chart : { generationCharts_[0], generationCharts_[1] })
        chart->setAxisTitles(incremental ? tr("young") : tr("gen 0"),
            incremental ? tr("increment / full") : tr("gen 1 / gen 2"));
}

void DashboardView::showState()
{
    if (context_->databasePath().isEmpty()) {
        placeholder_->setText(tr("No recording is open.\nOpen a gcscope file (Ctrl+O), attach to a Python process "
                                 "(Ctrl+Shift+A) or run the demo from the start page."));
        pages_->setCurrentWidget(placeholder_);
    } else if (series_.session()) {
        pages_->setCurrentIndex(1);
    } else if (!job_.busy()) {
        placeholder_->setText(tr("This file holds no recording session (only heap snapshots, or nothing yet).\n"
                                 "See the Snapshots tab, or attach to a process to record one."));
        pages_->setCurrentWidget(placeholder_);
    } else {
        placeholder_->setText(tr("Loading…"));
        pages_->setCurrentWidget(placeholder_);
    }
}

void DashboardView::sessionChosen(int row)
{
    const auto& all = sessions_->sessions();
    if (row < 0 || row >= static_cast<int>(all.size()))
        return;
    context_->setSessionId(all[static_cast<std::size_t>(row)].id);
}

void DashboardView::resetZoom()
{
    axis_->reset();
}

} // namespace gcscope::ui
