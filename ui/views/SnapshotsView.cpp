#include "views/SnapshotsView.h"

#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/ErrorDialog.h"
#include "views/Formatting.h"
#include "views/JobStatusBar.h"
#include "views/ModelRoles.h"
#include "views/SnapshotCache.h"
#include "views/SnapshotComparisonModel.h"
#include "views/SnapshotListModel.h"
#include "views/TableViews.h"
#include "views/ViewSettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QShowEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace gcscope::ui {
namespace {

// A table the user sorts by clicking a header.
QTreeView* makeTable(QWidget* parent, QAbstractItemModel* model)
{
    auto* view = makeTableView(parent, model);
    view->setSortingEnabled(true);
    return view;
}

constexpr qint64 kNothing = -1; // the "compare with nothing" entry of the baseline combo

} // namespace

SnapshotsView::SnapshotsView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , listJob_(new BackgroundJob(this))
    , compareJob_(new BackgroundJob(this))
    , list_(new SnapshotListModel(this))
    , listProxy_(new QSortFilterProxyModel(this))
    , comparison_(new SnapshotComparisonModel(this))
    , comparisonProxy_(new ComparisonFilterProxy(this))
    , toCombo_(new QComboBox(this))
    , fromCombo_(new QComboBox(this))
    , filter_(new QLineEdit(this))
    , showUnchanged_(new QCheckBox(tr("Show unchanged types"), this))
    , status_(new QLabel(this))
    , splitter_(new QSplitter(Qt::Vertical, this))
{
    listProxy_->setSourceModel(list_);
    listProxy_->setSortRole(SortRole);
    comparisonProxy_->setSourceModel(comparison_);
    listView_ = makeTable(this, listProxy_);
    listView_->header()->setSectionResizeMode(SnapshotListModel::LabelColumn, QHeaderView::Stretch);
    listView_->header()->setSectionResizeMode(SnapshotListModel::TakenColumn, QHeaderView::ResizeToContents);
    listView_->sortByColumn(SnapshotListModel::IdColumn, Qt::AscendingOrder);
    comparisonView_ = makeTable(this, comparisonProxy_);
    comparisonView_->header()->setSectionResizeMode(SnapshotComparisonModel::TypeColumn, QHeaderView::Stretch);
    comparisonView_->sortByColumn(SnapshotComparisonModel::SizeDeltaColumn, Qt::DescendingOrder);
    comparisonView_->setToolTip(tr("Double-click a type (or press Enter) to inspect its instances"));

    filter_->setPlaceholderText(tr("Filter types (Ctrl+F)"));
    filter_->setClearButtonEnabled(true);
    connect(filter_, &QLineEdit::textChanged, comparisonProxy_, &QSortFilterProxyModel::setFilterFixedString);
    connect(showUnchanged_, &QCheckBox::toggled, comparisonProxy_, &ComparisonFilterProxy::setShowUnchanged);
    toCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    fromCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    toCombo_->setToolTip(tr("The snapshot shown (also in the inspector and the cycles view)"));
    fromCombo_->setToolTip(tr("The baseline it is compared with"));

    auto* find = new QShortcut(QKeySequence::Find, this, [this] { filter_->setFocus(); });
    find->setContext(Qt::WidgetWithChildrenShortcut);
    auto* refresh = new QShortcut(QKeySequence::Refresh, this, [this] {
        comparison_->setComparison(nullptr); // F5 compares again too
        requested_.reset();
        reload();
    });
    refresh->setContext(Qt::WidgetWithChildrenShortcut);
    auto* enter = new QShortcut(
        QKeySequence(Qt::Key_Return), comparisonView_, [this] { inspect(comparisonView_->currentIndex()); });
    enter->setContext(Qt::WidgetShortcut);

    auto* statusBar = new JobStatusBar(this);
    statusBar->track(listJob_);
    statusBar->track(compareJob_);

    auto* listPane = new QWidget(this);
    auto* listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    auto* listTitle = new QLabel(tr("<b>Heap snapshots</b>"), listPane);
    listLayout->addWidget(listTitle);
    listLayout->addWidget(listView_);

    auto* comparePane = new QWidget(this);
    auto* compareLayout = new QVBoxLayout(comparePane);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Compare</b> snapshot"), comparePane));
    bar->addWidget(toCombo_);
    bar->addWidget(new QLabel(tr("with"), comparePane));
    bar->addWidget(fromCombo_);
    bar->addSpacing(fontMetrics().averageCharWidth() * 2);
    bar->addWidget(filter_, 1);
    bar->addWidget(showUnchanged_);
    compareLayout->addLayout(bar);
    compareLayout->addWidget(status_);
    compareLayout->addWidget(comparisonView_, 1);

    splitter_->addWidget(listPane);
    splitter_->addWidget(comparePane);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 3);
    splitter_->setSizes({ fontMetrics().height() * 8, fontMetrics().height() * 30 }); // a few snapshots, many types
    splitter_->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(statusBar);
    layout->addWidget(splitter_, 1);

    connect(
        listView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
            if (syncing_ || !current.isValid())
                return;
            const auto to = list_->idAt(listProxy_->mapToSource(current).row());
            const auto from = context_->compareFromSnapshotId();
            chooseFromUi(to, from && from != to ? from : std::nullopt);
        });
    auto comboChanged = [this] {
        if (syncing_)
            return;
        const auto to = toCombo_->currentData().toLongLong();
        const auto from = fromCombo_->currentData().toLongLong();
        chooseFromUi(to, from == kNothing ? std::nullopt : std::optional<std::int64_t>(from));
    };
    connect(toCombo_, &QComboBox::activated, this, comboChanged);
    connect(fromCombo_, &QComboBox::activated, this, comboChanged);
    connect(comparisonView_, &QTreeView::doubleClicked, this, &SnapshotsView::inspect);

    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        followNewest_ = true;
        list_->setSnapshots({});
        comparison_->setComparison(nullptr);
        reload();
    });
    connect(context_, &DocumentContext::snapshotsChanged, this, &SnapshotsView::reload);
    connect(context_, &DocumentContext::snapshotChanged, this, [this] {
        if (!syncing_)
            syncFromContext();
    });

    restoreViewState(QStringLiteral("snapshots"), splitter_, comparisonView_->header());
    showStatus();
    if (!context_->databasePath().isEmpty())
        reload();
}

SnapshotsView::~SnapshotsView()
{
    saveViewState(QStringLiteral("snapshots"), splitter_, comparisonView_->header());
}

bool SnapshotsView::isLoading() const
{
    return listJob_->isRunning() || compareJob_->isRunning();
}

void SnapshotsView::reload()
{
    const QString path = context_->databasePath();
    if (path.isEmpty()) {
        listJob_->cancel();
        compareJob_->cancel();
        list_->setSnapshots({});
        comparison_->setComparison(nullptr);
        showStatus();
        return;
    }
    listJob_->start<std::vector<storage::SnapshotInfo>>(
        tr("Reading the list of snapshots…"), [path](const JobControl&) { return SnapshotCache::snapshotsIn(path); },
        [this](std::vector<storage::SnapshotInfo> snapshots) { applyList(std::move(snapshots)); },
        [this](const QString& error) {
            showStatus(tr("Could not read the snapshots."));
            showErrorDialog(this, tr("Could not read the heap snapshots of this file."), error,
                tr("Check that the file is a gcscope recording, or open another one."));
        });
}

void SnapshotsView::applyList(std::vector<storage::SnapshotInfo> snapshots)
{
    syncing_ = true;
    list_->setSnapshots(std::move(snapshots));
    fillCombos();
    syncing_ = false;
    Q_EMIT listLoaded();

    const auto& all = list_->snapshots();
    if (all.empty()) {
        comparison_->setComparison(nullptr);
        showStatus();
        return;
    }
    // The document's choice if it is still valid; else (and while following) first vs. last.
    auto current = context_->snapshotId();
    if (!current || list_->rowOf(*current) < 0 || followNewest_) {
        const std::optional<std::int64_t> first
            = all.size() > 1 ? std::optional<std::int64_t>(all.front().id) : std::nullopt;
        if (current != all.back().id || context_->compareFromSnapshotId() != first) {
            syncing_ = true;
            context_->setSnapshots(all.back().id, first);
            syncing_ = false;
        }
    }
    syncFromContext();
}

void SnapshotsView::fillCombos()
{
    toCombo_->clear();
    fromCombo_->clear();
    fromCombo_->addItem(tr("nothing (everything is new)"), kNothing);
    for (const auto& s : list_->snapshots()) {
        const QString text
            = tr("#%1 · %2 · %3 objects").arg(QString::number(s.id), formatTime(s.takenNs), formatCount(s.objects));
        toCombo_->addItem(text, static_cast<qlonglong>(s.id));
        fromCombo_->addItem(text, static_cast<qlonglong>(s.id));
    }
}

void SnapshotsView::syncFromContext()
{
    const auto to = context_->snapshotId();
    if (!to || list_->rowOf(*to) < 0)
        return;
    const auto from = context_->compareFromSnapshotId();
    syncing_ = true;
    toCombo_->setCurrentIndex(toCombo_->findData(static_cast<qlonglong>(*to)));
    const int fromIndex = from ? fromCombo_->findData(static_cast<qlonglong>(*from)) : 0;
    fromCombo_->setCurrentIndex(fromIndex < 0 ? 0 : fromIndex);
    const QModelIndex row = listProxy_->mapFromSource(list_->index(list_->rowOf(*to), 0));
    listView_->selectionModel()->setCurrentIndex(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    syncing_ = false;
    compare();
}

void SnapshotsView::chooseFromUi(std::optional<std::int64_t> to, std::optional<std::int64_t> from)
{
    if (!to)
        return;
    followNewest_ = false;
    context_->setSnapshots(to, from); // snapshotChanged -> syncFromContext -> compare
}

namespace {
// Two 1M-object snapshots (the size at which loading takes about a second each) or less.
std::uint64_t hiddenCompareLimit = 2'000'000;
} // namespace

void SnapshotsView::setHiddenCompareLimit(std::uint64_t objects)
{
    hiddenCompareLimit = objects;
}

void SnapshotsView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (waitsToBeShown_)
        compare();
}

void SnapshotsView::compare()
{
    const QString path = context_->databasePath();
    const auto to = context_->snapshotId();
    if (path.isEmpty() || !to)
        return;
    auto from = context_->compareFromSnapshotId();
    if (from && list_->rowOf(*from) < 0)
        from.reset();
    waitsToBeShown_ = false;
    if (!isVisible()) {
        std::uint64_t objects = 0;
        for (const auto& s : list_->snapshots())
            if (s.id == *to || (from && s.id == *from))
                objects += s.objects;
        if (objects > hiddenCompareLimit) {
            waitsToBeShown_ = true;
            return;
        }
    }
    const auto* shown = comparison_->comparison();
    const bool onScreen = shown && shown->toId == *to && shown->fromId == from;
    const Pair wanted(*to, from);
    const bool underWay = compareJob_->isRunning() && requested_ == wanted;
    if (onScreen || underWay)
        return;
    requested_ = wanted;
    compareJob_->start<std::shared_ptr<const SnapshotComparison>>(
        tr("Comparing snapshots…"),
        [path, to, from](const JobControl& control) {
            auto& cache = SnapshotCache::instance();
            std::shared_ptr<const LoadedSnapshot> before;
            if (from)
                before = cache.graph(path, from, control);
            const auto after = cache.graph(path, to, control);
            control.progress(0, 0,
                QObject::tr("Comparing snapshot %1 with %2…")
                    .arg(QString::number(*to), from ? QString::number(*from) : QObject::tr("nothing")));
            auto result = std::make_shared<SnapshotComparison>();
            result->fromId = from;
            result->toId = *to;
            result->rows = analysis::compareGraphs(before ? &before->graph : nullptr, after->graph);
            return std::shared_ptr<const SnapshotComparison>(std::move(result));
        },
        [this](std::shared_ptr<const SnapshotComparison> result) {
            requested_.reset();
            comparison_->setComparison(std::move(result));
            showStatus();
            Q_EMIT comparisonLoaded();
        },
        [this](const QString& error) {
            requested_.reset();
            showStatus(tr("Could not compare the snapshots."));
            showErrorDialog(this, tr("Could not load the snapshots to compare."), error,
                tr("The file may be damaged or still being written; try again (F5) or open another file."));
        });
}

void SnapshotsView::inspect(const QModelIndex& proxyIndex)
{
    if (!proxyIndex.isValid())
        return;
    const QString type = proxyIndex.data(TypeNameRole).toString();
    if (!type.isEmpty())
        context_->requestInspectType(type);
}

void SnapshotsView::showStatus(const QString& text)
{
    if (!text.isEmpty()) {
        status_->setText(text);
        return;
    }
    if (context_->databasePath().isEmpty()) {
        status_->setText(tr("No recording open."));
        return;
    }
    if (list_->snapshots().empty()) {
        status_->setText(tr("This file holds no heap snapshots. Take one with “Take snapshot” while recording, or "
                            "with gcscope snapshot --pid PID -o FILE."));
        return;
    }
    const auto* c = comparison_->comparison();
    if (!c) {
        status_->clear();
        return;
    }
    std::int64_t countDelta = 0, sizeDelta = 0;
    std::uint64_t added = 0, freed = 0;
    for (const auto& r : c->rows) {
        countDelta += r.countDelta;
        sizeDelta += r.sizeDelta;
        added += r.added;
        freed += r.freed;
    }
    status_->setText(
        tr("Snapshot %1 compared with %2: %3 objects (%4), %5 new, %6 freed.")
            .arg(QString::number(c->toId), c->fromId ? tr("snapshot %1").arg(*c->fromId) : tr("nothing"),
                formatSignedCount(countDelta), formatSignedBytes(sizeDelta), formatCount(added), formatCount(freed)));
}

} // namespace gcscope::ui
