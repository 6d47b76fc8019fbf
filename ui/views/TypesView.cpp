#include "views/TypesView.h"

#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/ColumnWidths.h"
#include "views/ErrorDialog.h"
#include "views/Formatting.h"
#include "views/JobStatusBar.h"
#include "views/ModelRoles.h"
#include "views/SparklineDelegate.h"
#include "views/TypeGrowthModel.h"
#include "views/TypeSeriesChart.h"
#include "views/ViewSettings.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace gcscope::ui {

TypesView::TypesView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , job_(new BackgroundJob(this))
    , model_(new TypeGrowthModel(this))
    , proxy_(new QSortFilterProxyModel(this))
    , filter_(new QLineEdit(this))
    , status_(new QLabel(this))
    , table_(new QTreeView(this))
    , chart_(new TypeSeriesChart(this))
    , splitter_(new QSplitter(Qt::Vertical, this))
    , refreshTimer_(new QTimer(this))
{
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(SortRole);
    proxy_->setFilterKeyColumn(TypeGrowthModel::TypeColumn);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setSortCaseSensitivity(Qt::CaseInsensitive);

    table_->setModel(proxy_);
    table_->setRootIsDecorated(false);
    table_->setUniformRowHeights(true);
    table_->setAlternatingRowColors(true);
    table_->setSortingEnabled(true);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setItemDelegateForColumn(TypeGrowthModel::TrendColumn, new SparklineDelegate(table_));
    table_->header()->setStretchLastSection(false);
    table_->header()->setSectionResizeMode(TypeGrowthModel::TypeColumn, QHeaderView::Stretch);
    table_->header()->setSectionResizeMode(TypeGrowthModel::TrendColumn, QHeaderView::Interactive);
    table_->header()->resizeSection(TypeGrowthModel::TrendColumn, fontMetrics().averageCharWidth() * 24);
    table_->sortByColumn(TypeGrowthModel::SizeRateColumn, Qt::DescendingOrder);
    keepColumnWidths(table_);

    filter_->setPlaceholderText(tr("Filter types (Ctrl+F)"));
    filter_->setClearButtonEnabled(true);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    auto* find = new QShortcut(QKeySequence::Find, this, [this] { filter_->setFocus(); });
    find->setContext(Qt::WidgetWithChildrenShortcut);
    auto* refresh = new QShortcut(QKeySequence::Refresh, this, this, &TypesView::reload);
    refresh->setContext(Qt::WidgetWithChildrenShortcut);

    auto* statusBar = new JobStatusBar(this);
    statusBar->track(job_);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* top = new QHBoxLayout;
    top->addWidget(filter_, 2);
    top->addWidget(status_, 3);
    splitter_->addWidget(table_);
    splitter_->addWidget(chart_);
    chart_->setMinimumHeight(fontMetrics().height() * 14); // axes and labels stay readable
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);
    splitter_->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusBar);
    layout->addWidget(splitter_, 1);

    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TypesView::updateChart);
    // A live recording appends censuses every few seconds: refresh at most once a second.
    refreshTimer_->setSingleShot(true);
    refreshTimer_->setInterval(1000);
    connect(refreshTimer_, &QTimer::timeout, this, &TypesView::reload);
    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        model_->setTable(nullptr);
        reload();
    });
    connect(context_, &DocumentContext::sessionChanged, this, &TypesView::reload);
    connect(context_, &DocumentContext::dataAppended, this, &TypesView::scheduleRefresh);

    restoreViewState(QStringLiteral("types"), splitter_, table_->header());
    showStatus();
    if (!context_->databasePath().isEmpty())
        reload();
}

TypesView::~TypesView()
{
    saveViewState(QStringLiteral("types"), splitter_, table_->header());
}

bool TypesView::isLoading() const
{
    return job_->isRunning();
}

void TypesView::reload()
{
    refreshTimer_->stop();
    const QString path = context_->databasePath();
    if (path.isEmpty()) {
        job_->cancel();
        model_->setTable(nullptr);
        showStatus();
        return;
    }
    reloadWhenDone_ = false;
    const auto session = context_->sessionId();
    job_->start<std::shared_ptr<const TypeGrowthTable>>(
        tr("Reading the census series…"),
        [path, session](const JobControl&) {
            return std::shared_ptr<const TypeGrowthTable>(
                std::make_shared<TypeGrowthTable>(loadTypeGrowth(path, session)));
        },
        [this](std::shared_ptr<const TypeGrowthTable> table) {
            apply(std::move(table));
            if (reloadWhenDone_)
                scheduleRefresh();
        },
        [this](const QString& error) {
            showStatus();
            // A live file may be caught mid-write; the next refresh tries again quietly.
            if (context_->isLive())
                return;
            showErrorDialog(this, tr("Could not read the census series."), error,
                tr("Check that the file is a gcscope recording, or open another one."));
            Q_EMIT loadFailed(error);
        });
}

void TypesView::scheduleRefresh()
{
    if (job_->isRunning())
        reloadWhenDone_ = true;
    else if (!refreshTimer_->isActive())
        refreshTimer_->start();
}

void TypesView::apply(std::shared_ptr<const TypeGrowthTable> table)
{
    // Keep what the user looks at: the proxy keeps the sort; selection and scroll are restored.
    const QString selected = selectedType();
    const int scroll = table_->verticalScrollBar()->value();
    model_->setTable(std::move(table));
    if (!selected.isEmpty())
        selectType(selected);
    else if (proxy_->rowCount() > 0) // the top of the sort (fastest growing by default) is charted
        table_->selectionModel()->setCurrentIndex(
            proxy_->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->verticalScrollBar()->setValue(scroll);
    updateChart();
    showStatus();
    Q_EMIT loaded();
}

QString TypesView::selectedType() const
{
    const QModelIndex current = table_->selectionModel()->currentIndex();
    return current.isValid() ? current.data(TypeNameRole).toString() : QString();
}

void TypesView::selectType(const QString& type)
{
    const int row = model_->rowOfType(type);
    if (row < 0)
        return;
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, TypeGrowthModel::TypeColumn));
    if (!index.isValid())
        return; // filtered out
    table_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void TypesView::updateChart()
{
    const auto* table = model_->table();
    const QModelIndex current = proxy_->mapToSource(table_->selectionModel()->currentIndex());
    const auto* row = current.isValid() ? model_->rowAt(current.row()) : nullptr;
    if (!table || !row)
        chart_->showRow(nullptr, {}, 0);
    else
        chart_->showRow(row, table->timesNs, table->sessionStartNs);
}

void TypesView::showStatus()
{
    const auto* table = model_->table();
    if (context_->databasePath().isEmpty()) {
        status_->setText(tr("No recording open."));
    } else if (!table) {
        status_->clear();
    } else if (!table->sessionId) {
        status_->setText(tr("This file holds no recording sessions."));
    } else if (table->timesNs.size() < 2) {
        status_->setText(tr("Session %1 has %2 census(es): growth needs two or more. Record with "
                            "--census-every S, or longer.")
                             .arg(QString::number(*table->sessionId), QString::number(table->timesNs.size())));
    } else {
        status_->setText(tr("Session %1 · %2 censuses · %3 types%4")
                             .arg(QString::number(*table->sessionId), QString::number(table->timesNs.size()),
                                 formatCount(table->rows.size()), context_->isLive() ? tr(" · live") : QString()));
    }
}

} // namespace gcscope::ui
