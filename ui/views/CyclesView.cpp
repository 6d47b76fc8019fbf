#include "views/CyclesView.h"

#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/CycleGraphScene.h"
#include "views/CycleGraphView.h"
#include "views/CycleListModel.h"
#include "views/ErrorDialog.h"
#include "views/Formatting.h"
#include "views/JobStatusBar.h"
#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotCache.h"
#include "views/SnapshotLoad.h"
#include "views/ViewSettings.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace gcscope::ui {

CyclesView::CyclesView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , job_(new BackgroundJob(this))
    , model_(new CycleListModel(this))
    , proxy_(new QSortFilterProxyModel(this))
    , summary_(new QLabel(this))
    , filter_(new QLineEdit(this))
    , table_(new QTreeView(this))
    , caption_(new QLabel(this))
    , scene_(new CycleGraphScene(this))
    , graph_(new CycleGraphView(this))
    , splitter_(new QSplitter(Qt::Horizontal, this))
{
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(SortRole);
    proxy_->setFilterKeyColumn(CycleListModel::TypesColumn);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    table_->setModel(proxy_);
    table_->setRootIsDecorated(false);
    table_->setUniformRowHeights(true);
    table_->setAlternatingRowColors(true);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->header()->setStretchLastSection(false);
    table_->header()->setSectionResizeMode(CycleListModel::TypesColumn, QHeaderView::Stretch);
    for (int column : { CycleListModel::ObjectsColumn, CycleListModel::SizeColumn, CycleListModel::GarbageColumn,
             CycleListModel::FinalizerColumn })
        table_->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    // Unsorted until the user clicks a header: the analysis order puts garbage and __del__ first.
    table_->header()->setSortIndicatorClearable(true);
    table_->header()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);

    filter_->setPlaceholderText(tr("Filter by type (Ctrl+F)"));
    filter_->setClearButtonEnabled(true);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    auto* find = new QShortcut(QKeySequence::Find, this, [this] { filter_->setFocus(); });
    find->setContext(Qt::WidgetWithChildrenShortcut);
    auto* refresh = new QShortcut(QKeySequence::Refresh, this, this, &CyclesView::reload);
    refresh->setContext(Qt::WidgetWithChildrenShortcut);

    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    caption_->setWordWrap(true);
    graph_->setScene(scene_);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(filter_);
    leftLayout->addWidget(table_, 1);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(caption_);
    rightLayout->addWidget(graph_, 1);
    splitter_->addWidget(left);
    splitter_->addWidget(right);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 1);
    splitter_->setSizes({ 1000, 1000 }); // halves: the list needs room for its types column
    splitter_->setChildrenCollapsible(false);

    auto* statusBar = new JobStatusBar(this);
    statusBar->track(job_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(statusBar);
    layout->addWidget(splitter_, 1);

    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CyclesView::drawSelected);
    connect(graph_, &CycleGraphView::objectActivated, this, [this](analysis::ObjectId object) {
        if (analysis_)
            context_->requestInspectObject(analysis_->graph.address[object]);
    });
    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        analysis_.reset();
        reload();
    });
    connect(context_, &DocumentContext::snapshotChanged, this, &CyclesView::reload);
    connect(context_, &DocumentContext::snapshotsChanged, this, [this] {
        if (!context_->snapshotId())
            reload();
    });

    restoreViewState(QStringLiteral("cycles"), splitter_, nullptr);
    showSummary();
    if (!context_->databasePath().isEmpty())
        reload();
}

CyclesView::~CyclesView()
{
    saveViewState(QStringLiteral("cycles"), splitter_, nullptr);
}

bool CyclesView::isLoading() const
{
    return job_->isRunning();
}

void CyclesView::reload()
{
    const QString path = context_->databasePath();
    const auto wanted = context_->snapshotId();
    if (!path.isEmpty() && analysis_ && wanted == analysis_->info.id && !job_->isRunning())
        return;
    loadSnapshotInto(
        this, job_, path, wanted,
        [this](std::shared_ptr<const SnapshotAnalysis> analysis) { apply(std::move(analysis)); },
        [this](const QString& error) {
            showSummary(tr("Could not load the snapshot."));
            Q_EMIT loadFailed(error);
        },
        SnapshotParts { .unreachable = true, .cycles = true });
}

void CyclesView::apply(std::shared_ptr<const SnapshotAnalysis> analysis)
{
    analysis_ = std::move(analysis);
    model_->setAnalysis(analysis_);
    showSummary();
    if (proxy_->rowCount() > 0)
        table_->setCurrentIndex(proxy_->index(0, 0));
    else
        drawSelected();
    Q_EMIT loaded();
}

void CyclesView::drawSelected()
{
    const QModelIndex current = proxy_->mapToSource(table_->currentIndex());
    const analysis::Cycle* cycle = analysis_ && current.isValid()
        ? &analysis_->cycles().cycles[static_cast<std::size_t>(current.row())]
        : nullptr;
    scene_->showCycle(analysis_, cycle, palette(), font());
    graph_->fit();
    if (!cycle) {
        caption_->setText(analysis_ ? tr("Select a cycle to draw it.") : QString());
        return;
    }
    QString text = tr("%1 objects, %2%3%4.")
                       .arg(formatCount(cycle->memberCount), formatBytes(cycle->totalSize),
                           cycle->unreachable ? tr(", garbage") : QString(),
                           cycle->hasFinalizer ? tr(", with __del__ (outlined)") : QString());
    if (scene_->nodeCount() < scene_->memberCount())
        text += QLatin1Char(' ')
            + tr("Showing %1 of its %2 objects: those reached first from one member.")
                  .arg(QString::number(scene_->nodeCount()), formatCount(cycle->memberCount));
    if (scene_->edgeCount() > CycleGraphScene::kMaxLabelledEdges)
        text += QLatin1Char(' ') + tr("Too many references to label them all; hover an arrow to see its label.");
    caption_->setText(text);
}

void CyclesView::showSummary(const QString& text)
{
    if (!text.isEmpty()) {
        summary_->setText(text);
        return;
    }
    if (context_->databasePath().isEmpty()) {
        summary_->setText(tr("No recording open."));
        return;
    }
    if (!analysis_) {
        summary_->setText(job_->isRunning() ? QString()
                                            : tr("This file holds no heap snapshots. Take one with “Take snapshot” "
                                                 "while recording, or with gcscope snapshot --pid PID -o FILE."));
        return;
    }
    const auto& cycles = analysis_->cycles().cycles;
    const auto garbage = std::count_if(cycles.begin(), cycles.end(), [](const auto& c) { return c.unreachable; });
    summary_->setText(tr("<b>Snapshot %1: the next full collection would free %2 objects (%3).</b> "
                         "%4 reference cycles, %5 of them garbage.")
                          .arg(QString::number(analysis_->info.id), formatCount(analysis_->unreachable().count()),
                              formatBytes(analysis_->unreachable().totalSize), formatCount(cycles.size()),
                              formatCount(static_cast<std::uint64_t>(garbage))));
}

void CyclesView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        drawSelected();
}

} // namespace gcscope::ui
