#include "views/LeaksView.h"

#include "core/DocumentContext.h"
#include "views/AccumulationModel.h"
#include "views/BackgroundJob.h"
#include "views/ColumnWidths.h"
#include "views/Formatting.h"
#include "views/HighlightDelegate.h"
#include "views/JobStatusBar.h"
#include "views/LeakSuspectModel.h"
#include "views/LeakText.h"
#include "views/ModelRoles.h"
#include "views/ReportPathModel.h"
#include "views/SparklineDelegate.h"
#include "views/TableViews.h"
#include "views/ViewSettings.h"

#include <QAction>
#include <QDateTime>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace gcscope::ui {
namespace {

// A table whose focus frame spans the whole row.
QTreeView* makeTable(QWidget* parent, QAbstractItemModel* model)
{
    auto* view = makeTableView(parent, model);
    view->setAllColumnsShowFocus(true);
    return view;
}

QLabel* makeTitle(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setTextFormat(Qt::RichText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QWidget* stack(QWidget* parent, std::initializer_list<QWidget*> widgets, QLayout* below = nullptr)
{
    auto* pane = new QWidget(parent);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    for (auto* w : widgets)
        layout->addWidget(w, w->inherits("QAbstractScrollArea") ? 1 : 0);
    if (below)
        layout->addLayout(below);
    return pane;
}

QColor toneColour(leaks::Tone tone, const QPalette& palette)
{
    switch (tone) {
    case leaks::Tone::Bad:
        return QColor(0xd6, 0x3b, 0x3b);
    case leaks::Tone::Warning:
        return QColor(0xe0, 0x9b, 0x00);
    case leaks::Tone::Good:
        return QColor(0x2e, 0x9d, 0x57);
    case leaks::Tone::Neutral:
        break;
    }
    return palette.color(QPalette::Mid);
}

} // namespace

LeaksView::LeaksView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , job_(new BackgroundJob(this))
    , refreshJob_(new BackgroundJob(this))
    , refreshTimer_(new QTimer(this))
    , model_(new LeakSuspectModel(this))
    , proxy_(new QSortFilterProxyModel(this))
    , accumulations_(new AccumulationModel(this))
    , path_(new ReportPathModel(this))
    , banner_(new QFrame(this))
    , bannerLayout_(new QHBoxLayout)
    , headline_(makeTitle(this))
    , meta_(makeTitle(this))
    , details_(new QTextBrowser(this))
    , inspectInstance_(new QPushButton(tr("Inspect I&nstance"), this))
    , inspectOwner_(new QPushButton(tr("Inspect &Owner"), this))
    , pathTitle_(makeTitle(this))
    , accumulationTitle_(makeTitle(this))
    , splitter_(new QSplitter(Qt::Vertical, this))
    , detailSplitter_(new QSplitter(Qt::Horizontal, this))
{
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(SortRole);
    proxy_->setSortCaseSensitivity(Qt::CaseInsensitive);

    const int chars = fontMetrics().averageCharWidth();
    table_ = makeTable(this, proxy_);
    table_->setItemDelegateForColumn(LeakSuspectModel::TrendColumn, new SparklineDelegate(table_));
    auto* header = table_->header();
    for (int column = 0; column < LeakSuspectModel::ColumnCount; ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(LeakSuspectModel::SuspectColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(LeakSuspectModel::TrendColumn, QHeaderView::Interactive);
    header->setStretchLastSection(true); // the owner takes what is left
    header->resizeSection(LeakSuspectModel::SuspectColumn, chars * 36);
    header->resizeSection(LeakSuspectModel::TrendColumn, chars * 18);
    // The report's order (most retained first) until the user clicks a header.
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);
    table_->setToolTip(tr("Double-click a suspect (or press Enter) to inspect a representative instance"));
    keepColumnWidths(table_);

    details_->setOpenLinks(false);
    details_->setFrameShape(QFrame::StyledPanel);
    inspectInstance_->setToolTip(tr("Show a representative instance (the end of its retention path) in the "
                                    "Inspector, in the report's snapshot"));
    inspectOwner_->setToolTip(tr("Show the object that accumulates the suspect's instances in the Inspector"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(inspectInstance_);
    buttons->addWidget(inspectOwner_);
    buttons->addStretch(1);

    pathView_ = makeTable(this, path_);
    pathView_->setItemDelegate(new HighlightDelegate(pathView_));
    // Paths are a handful of steps: every column fits its contents, the label takes what is left.
    for (int column = 0; column < ReportPathModel::ColumnCount; ++column)
        pathView_->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    pathView_->header()->setSectionResizeMode(ReportPathModel::LabelColumn, QHeaderView::Stretch);
    pathView_->setToolTip(tr("Double-click an object to inspect it"));

    accumulationView_ = makeTable(this, accumulations_);
    accumulationView_->header()->setSectionResizeMode(AccumulationModel::OwnerColumn, QHeaderView::Stretch);
    for (int column : { AccumulationModel::ItemsColumn, AccumulationModel::ItemTypeColumn,
             AccumulationModel::RetainedColumn, AccumulationModel::ShareColumn })
        accumulationView_->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    accumulationView_->setToolTip(tr("Double-click a collection to inspect it"));

    // The headline: a band tinted by the verdict, the report's own sentence, and what it rests on.
    banner_->setObjectName(QStringLiteral("leaksBanner"));
    headline_->setObjectName(QStringLiteral("leaksHeadline"));
    meta_->setObjectName(QStringLiteral("leaksMeta"));
    QFont big = headline_->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    headline_->setFont(big);
    headline_->setTextFormat(Qt::PlainText);
    auto* texts = new QVBoxLayout;
    texts->setSpacing(2);
    texts->addWidget(headline_);
    texts->addWidget(meta_);
    bannerLayout_->addLayout(texts, 1);
    auto* bannerOuter = new QVBoxLayout(banner_);
    bannerOuter->setContentsMargins(chars * 2, chars, chars * 2, chars);
    bannerOuter->addLayout(bannerLayout_);

    auto* statusBar = new JobStatusBar(this);
    statusBar->track(job_);

    pathTitle_->setText(tr("<b>Retention path</b>"));
    auto* detailPane = stack(this, { details_ }, buttons);
    pathPane_ = stack(this, { pathTitle_, pathView_ });
    detailSplitter_->addWidget(detailPane);
    detailSplitter_->addWidget(pathPane_);
    detailSplitter_->setStretchFactor(0, 1);
    detailSplitter_->setStretchFactor(1, 1);
    detailSplitter_->setChildrenCollapsible(false);
    accumulationTitle_->setText(tr("<b>Largest accumulation points</b> — where memory collects in the last "
                                   "snapshot; not leaks by themselves"));
    accumulationPane_ = stack(this, { accumulationTitle_, accumulationView_ });
    splitter_->addWidget(table_);
    splitter_->addWidget(detailSplitter_);
    splitter_->addWidget(accumulationPane_);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 3);
    splitter_->setStretchFactor(2, 1);
    splitter_->setChildrenCollapsible(false);
    // Suspects are few (ten at most): a short table, most of the room for the details.
    const int line = fontMetrics().height();
    splitter_->setSizes({ line * 9, line * 24, line * 8 });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(banner_);
    layout->addWidget(statusBar);
    layout->addWidget(splitter_, 1);

    auto* refresh = new QShortcut(QKeySequence::Refresh, this, this, &LeaksView::reload);
    refresh->setContext(Qt::WidgetWithChildrenShortcut);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LeaksView::showSelected);
    connect(table_, &QTreeView::doubleClicked, this, &LeaksView::inspectInstance);
    for (auto key : { Qt::Key_Return, Qt::Key_Enter })
        new QShortcut(QKeySequence(key), table_, this, &LeaksView::inspectInstance, Qt::WidgetShortcut);
    connect(inspectInstance_, &QPushButton::clicked, this, &LeaksView::inspectInstance);
    connect(inspectOwner_, &QPushButton::clicked, this, &LeaksView::inspectOwner);
    auto follow = [this](const QModelIndex& index) {
        if (index.isValid() && index.data(AddressRole).isValid())
            inspectAddress(index.data(AddressRole).value<quint64>());
    };
    connect(pathView_, &QTreeView::doubleClicked, this, follow);
    connect(accumulationView_, &QTreeView::doubleClicked, this, follow);

    // Cancel (Esc) leaves the view idle: say so, once done/failed had their chance to run.
    connect(job_, &BackgroundJob::stopped, this, [this] {
        QTimer::singleShot(0, this, [this] {
            if (state_ == State::Building && !job_->isRunning()) {
                state_ = State::Cancelled;
                showHeadline();
            }
        });
    });

    refreshTimer_->setSingleShot(true);
    connect(refreshTimer_, &QTimer::timeout, this, &LeaksView::refresh);
    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        clearReport();
        reload();
    });
    connect(context_, &DocumentContext::sessionChanged, this, [this] {
        const auto wanted = context_->sessionId();
        if (report_ && wanted && *wanted == report_->target.sessionId)
            return; // the session shown, chosen by its id
        clearReport();
        reload();
    });
    // New evidence while recording: a census (dataAppended) or a snapshot.
    connect(context_, &DocumentContext::dataAppended, this, &LeaksView::scheduleRefresh);
    connect(context_, &DocumentContext::snapshotsChanged, this, &LeaksView::scheduleRefresh);
    connect(context_, &DocumentContext::liveChanged, this, &LeaksView::showHeadline);

    restoreViewState(QStringLiteral("leaks"), splitter_, table_->header());
    restoreViewState(QStringLiteral("leaks-detail"), detailSplitter_, nullptr);
    applyTone();
    showSelected();
    showHeadline();
    if (!context_->databasePath().isEmpty())
        reload();
}

LeaksView::~LeaksView()
{
    saveViewState(QStringLiteral("leaks"), splitter_, table_->header());
    saveViewState(QStringLiteral("leaks-detail"), detailSplitter_, nullptr);
}

bool LeaksView::isLoading() const
{
    return job_->isRunning() || refreshJob_->isRunning();
}

void LeaksView::setExportAction(QAction* action)
{
    auto* button = new QToolButton(banner_);
    button->setObjectName(QStringLiteral("leaksExport"));
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bannerLayout_->addWidget(button, 0, Qt::AlignVCenter);
}

void LeaksView::clearReport()
{
    refreshTimer_->stop();
    refreshJob_->cancel();
    refreshWhenDone_ = false;
    report_.reset();
    evidence_.reset();
    error_.clear();
    refreshError_.clear();
    updatedAt_.clear();
    model_->setReport(nullptr);
    accumulations_->setReport(nullptr);
    showSelected();
}

void LeaksView::reload()
{
    refreshTimer_->stop();
    refreshJob_->cancel();
    refreshWhenDone_ = false;
    const QString path = context_->databasePath();
    if (path.isEmpty()) {
        job_->cancel();
        clearReport();
        state_ = State::NoFile;
        showHeadline();
        return;
    }
    if (!report_)
        state_ = State::Building;
    error_.clear();
    const auto session = context_->sessionId();
    const bool live = context_->isLive();
    job_->start<LoadedLeakReport>(
        tr("Building the leak report: reading the censuses and analysing the snapshots…"),
        [path, session, live](const JobControl& control) { return loadLeakReport(path, session, control, {}, live); },
        [this](LoadedLeakReport result) { apply(std::move(result)); },
        [this](const QString& error) { failed(error, false); });
    showHeadline();
}

void LeaksView::scheduleRefresh()
{
    if (context_->databasePath().isEmpty() || state_ == State::Cancelled)
        return;
    if (job_->isRunning() || refreshJob_->isRunning()) {
        refreshWhenDone_ = true;
        return;
    }
    if (refreshTimer_->isActive())
        return;
    // A big heap takes seconds to analyse: never spend more than about a third of the time on it.
    const qint64 gap = std::max<qint64>(refreshIntervalMs_, 2 * lastBuildMs_);
    const qint64 waited = sinceBuild_.isValid() ? sinceBuild_.elapsed() : gap;
    refreshTimer_->start(static_cast<int>(std::clamp<qint64>(gap - waited, 0, gap)));
}

void LeaksView::refresh()
{
    const QString path = context_->databasePath();
    if (path.isEmpty())
        return;
    if (job_->isRunning()) {
        refreshWhenDone_ = true;
        return;
    }
    const auto session = context_->sessionId();
    const auto known = evidence_;
    const bool live = context_->isLive();
    refreshJob_->start<LoadedLeakReport>(
        tr("Updating the leak report…"),
        [path, session, known, live](
            const JobControl& control) { return loadLeakReport(path, session, control, known, live); },
        [this](LoadedLeakReport result) { apply(std::move(result)); },
        [this](const QString& error) { failed(error, true); });
}

void LeaksView::apply(LoadedLeakReport result)
{
    refreshError_.clear();
    if (!result.evidence && !report_ && context_->isLive()) {
        // A recording that has just begun: its session is not in the file yet. Wait for its first
        // data (which rebuilds the report) rather than say the file holds no sessions.
        state_ = State::Building;
        showHeadline();
        buildDone();
        return;
    }
    const bool changed = result.report || !result.evidence;
    if (!result.evidence) {
        clearReport();
        state_ = State::NoSession;
    } else if (result.report) {
        lastBuildMs_ = result.buildMs;
        evidence_ = result.evidence;
        // Keep what the user looks at: the same suspect, and the details scrolled where they were.
        const QString selected = selectedType();
        const int detailScroll = details_->verticalScrollBar()->value();
        report_ = std::move(result.report);
        model_->setReport(report_);
        accumulations_->setReport(report_);
        const int row = selected.isEmpty() ? -1 : model_->rowOfType(selected);
        const QModelIndex index = row >= 0 ? proxy_->mapFromSource(model_->index(row, 0)) : proxy_->index(0, 0);
        if (index.isValid())
            table_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        showSelected();
        if (row >= 0)
            details_->verticalScrollBar()->setValue(detailScroll);
        state_ = State::Shown;
        updatedAt_ = QLocale().toString(QTime::currentTime(), QStringLiteral("HH:mm:ss"));
    }
    showHeadline();
    buildDone();
    if (changed)
        Q_EMIT loaded();
}

void LeaksView::failed(const QString& error, bool quiet)
{
    // A file being written may be caught mid-way: keep the last report and try again at the next one.
    if (quiet && report_) {
        refreshError_ = error;
    } else {
        clearReport();
        state_ = State::Failed;
        error_ = error;
    }
    // Shown in the headline rather than as a dialog: this view builds in the background when a file
    // opens, often while another tab is shown.
    showHeadline();
    buildDone();
    if (state_ == State::Failed)
        Q_EMIT loadFailed(error);
}

void LeaksView::buildDone()
{
    sinceBuild_.start();
    if (refreshWhenDone_) {
        refreshWhenDone_ = false;
        scheduleRefresh();
    }
}

const report::Suspect* LeaksView::selectedSuspect() const
{
    const QModelIndex current = proxy_->mapToSource(table_->selectionModel()->currentIndex());
    return current.isValid() ? model_->suspectAt(current.row()) : nullptr;
}

QString LeaksView::selectedType() const
{
    const auto* s = selectedSuspect();
    return s ? QString::fromStdString(s->type) : QString();
}

void LeaksView::selectType(const QString& type)
{
    const int row = model_->rowOfType(type);
    if (row < 0)
        return;
    table_->selectionModel()->setCurrentIndex(
        proxy_->mapFromSource(model_->index(row, 0)), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void LeaksView::showSelected()
{
    // Without suspects the verdict's explanation gets the room (and the accumulation points, if any).
    const bool anySuspect = report_ && !report_->suspects.empty();
    for (QWidget* part : { static_cast<QWidget*>(table_), pathPane_, static_cast<QWidget*>(inspectInstance_),
             static_cast<QWidget*>(inspectOwner_) })
        part->setVisible(anySuspect);
    accumulationPane_->setVisible(report_ && !report_->accumulations.empty());
    const auto* s = selectedSuspect();
    const bool haveSnapshot = report_ && report_->snapshotId;
    inspectInstance_->setEnabled(
        haveSnapshot && s && !s->retentionPath.empty() && s->retentionPath.back().address != 0);
    inspectOwner_->setEnabled(haveSnapshot && s && s->ownerAddress != 0);
    if (!report_) {
        details_->clear();
        path_->clear();
        pathTitle_->setText(tr("<b>Retention path</b>"));
        return;
    }
    if (!s) {
        details_->setHtml(leaks::verdictDetailsHtml(*report_));
        path_->clear();
        pathTitle_->setText(tr("<b>Retention path</b>"));
        return;
    }
    details_->setHtml(leaks::suspectDetailsHtml(*report_, *s));
    path_->setPath(s->retentionPath, s->ownerAddress);
    if (!haveSnapshot)
        pathTitle_->setText(tr("<b>Retention path</b> — needs a heap snapshot: take one (Ctrl+T while "
                               "recording, or --snapshot-every S)"));
    else if (s->retentionPath.empty())
        pathTitle_->setText(tr("<b>Retention path</b> — none found in snapshot %1").arg(*report_->snapshotId));
    else
        pathTitle_->setText(tr("<b>Retention path</b> from a root to a representative instance, in snapshot %1 "
                               "(the owner and the instance highlighted)")
                                .arg(*report_->snapshotId));
}

void LeaksView::showHeadline()
{
    QString headline;
    QString meta;
    leaks::Tone tone = leaks::Tone::Neutral;
    switch (state_) {
    case State::NoFile:
        headline = tr("No recording open.");
        meta = tr("Open a recording, or attach to a process or launch a script: leak suspects appear here as the "
                  "evidence arrives.");
        break;
    case State::Building:
        headline = tr("Building the leak report…");
        meta = tr("Reading the per-type counts and analysing the heap snapshots, as gcscope report does.");
        break;
    case State::NoSession:
        headline = tr("This file holds no recording sessions.");
        meta = tr("Leak suspects need per-type counts or heap snapshots over time: record with gcscope record or "
                  "run, or attach or launch from the start page. Its snapshots are in the Snapshots and Inspector "
                  "tabs.");
        break;
    case State::Failed:
        headline = tr("Could not build the leak report.");
        meta = error_;
        tone = leaks::Tone::Bad;
        break;
    case State::Cancelled:
        headline = tr("Building the leak report was cancelled.");
        meta = tr("Press F5 to build it again.");
        break;
    case State::Shown: {
        const auto& r = *report_;
        headline = leaks::headline(r);
        tone = leaks::toneOf(r);
        QStringList parts;
        parts << tr("Session %1").arg(r.target.sessionId);
        const auto points = static_cast<qsizetype>(r.series.timesNs.size());
        if (r.series.source == "snapshots")
            parts << tr("per-type counts from %1 heap snapshots").arg(points);
        else
            parts << (points == 1 ? tr("1 census") : tr("%1 censuses").arg(points));
        parts << (r.snapshots == 1 ? tr("1 heap snapshot") : tr("%1 heap snapshots").arg(r.snapshots));
        if (r.snapshotId)
            parts << (r.suspects.empty() ? tr("snapshot %1 analysed").arg(*r.snapshotId)
                                         : tr("owners and paths from snapshot %1").arg(*r.snapshotId));
        if (context_->isLive())
            parts << tr("live, updated %1").arg(updatedAt_);
        meta = parts.join(QStringLiteral(" · "));
        if (!refreshError_.isEmpty())
            meta += QStringLiteral(" · ")
                + tr("the last update failed (%1); trying again at the next one").arg(refreshError_);
        break;
    }
    }
    headline_->setText(headline);
    meta_->setText(meta.toHtmlEscaped());
    banner_->setProperty("tone", static_cast<int>(tone));
    applyTone();
    const int count = state_ == State::Shown ? static_cast<int>(report_->suspects.size()) : -1;
    if (count != lastSuspectCount_) {
        lastSuspectCount_ = count;
        Q_EMIT suspectCountChanged(count);
    }
}

void LeaksView::applyTone()
{
    const auto tone = static_cast<leaks::Tone>(banner_->property("tone").toInt());
    const QColor edge = toneColour(tone, palette());
    QColor wash = edge;
    wash.setAlphaF(tone == leaks::Tone::Neutral ? 0.12f : 0.16f);
    banner_->setStyleSheet(QStringLiteral("QFrame#leaksBanner { background-color: rgba(%1, %2, %3, %4); "
                                          "border-left: 4px solid %5; border-radius: 2px; }")
                               .arg(wash.red())
                               .arg(wash.green())
                               .arg(wash.blue())
                               .arg(wash.alpha())
                               .arg(edge.name()));
}

void LeaksView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTone();
}

void LeaksView::inspectInstance()
{
    const auto* s = selectedSuspect();
    if (s && !s->retentionPath.empty())
        inspectAddress(s->retentionPath.back().address);
}

void LeaksView::inspectOwner()
{
    if (const auto* s = selectedSuspect())
        inspectAddress(s->ownerAddress);
}

void LeaksView::inspectAddress(quint64 address)
{
    if (!report_ || !report_->snapshotId || address == 0)
        return;
    // The inspector shows the document's snapshot: make it the report's, keeping an older comparison.
    const std::int64_t id = *report_->snapshotId;
    if (context_->snapshotId() != id) {
        auto from = context_->compareFromSnapshotId();
        if (from && *from >= id)
            from.reset();
        context_->setSnapshots(id, from);
    }
    context_->requestInspectObject(address);
}

} // namespace gcscope::ui
