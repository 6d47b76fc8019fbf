#include "views/InspectorView.h"

#include "core/DocumentContext.h"
#include "views/BackgroundJob.h"
#include "views/ColumnWidths.h"
#include "views/DominatorTreeModel.h"
#include "views/ErrorDialog.h"
#include "views/Formatting.h"
#include "views/HighlightDelegate.h"
#include "views/InstanceListModel.h"
#include "views/JobStatusBar.h"
#include "views/ModelRoles.h"
#include "views/ObjectCells.h"
#include "views/ReferenceTreeModel.h"
#include "views/RetentionPathModel.h"
#include "views/SnapshotCache.h"
#include "views/SnapshotLoad.h"
#include "views/TypeSummaryModel.h"
#include "views/ViewSettings.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace gcscope::ui {
namespace {

QTreeView* makeView(QWidget* parent, QAbstractItemModel* model, bool tree)
{
    auto* view = new QTreeView(parent);
    view->setModel(model);
    view->setRootIsDecorated(tree);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAllColumnsShowFocus(true);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionsMovable(true);
    return view;
}

QLabel* makeTitle(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::RichText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QWidget* stack(QWidget* parent, std::initializer_list<QWidget*> widgets)
{
    auto* pane = new QWidget(parent);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    for (auto* w : widgets)
        layout->addWidget(w, w->inherits("QAbstractItemView") || w->inherits("QTabWidget") ? 1 : 0);
    return pane;
}

} // namespace

InspectorView::InspectorView(DocumentContext* context, QWidget* parent)
    : QWidget(parent)
    , context_(context)
    , job_(new BackgroundJob(this))
    , types_(new TypeSummaryModel(this))
    , typeProxy_(new QSortFilterProxyModel(this))
    , instances_(new InstanceListModel(this))
    , paths_(new RetentionPathModel(this))
    , referrers_(new ReferenceTreeModel(ReferenceTreeModel::Direction::Referrers, this))
    , referents_(new ReferenceTreeModel(ReferenceTreeModel::Direction::Referents, this))
    , dominators_(new DominatorTreeModel(this))
    , summary_(makeTitle({}, this))
    , back_(new QToolButton(this))
    , forward_(new QToolButton(this))
    , typeFilter_(new QLineEdit(this))
    , instancesTitle_(makeTitle({}, this))
    , objectTitle_(makeTitle({}, this))
    , tabs_(new QTabWidget(this))
    , mainSplitter_(new QSplitter(Qt::Horizontal, this))
    , leftSplitter_(new QSplitter(Qt::Vertical, this))
    , rightSplitter_(new QSplitter(Qt::Vertical, this))
{
    typeProxy_->setSourceModel(types_);
    typeProxy_->setSortRole(SortRole);
    typeProxy_->setFilterKeyColumn(TypeSummaryModel::TypeColumn);
    typeProxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    typeProxy_->setSortCaseSensitivity(Qt::CaseInsensitive);

    typeView_ = makeView(this, typeProxy_, false);
    typeView_->setSortingEnabled(true);
    typeView_->sortByColumn(TypeSummaryModel::RetainedColumn, Qt::DescendingOrder);
    typeView_->header()->setSectionResizeMode(TypeSummaryModel::TypeColumn, QHeaderView::Stretch);
    instanceView_ = makeView(this, instances_, false);
    instanceView_->setSortingEnabled(true);
    instanceView_->sortByColumn(InstanceListModel::RetainedColumn, Qt::DescendingOrder);
    instanceView_->header()->setSectionResizeMode(InstanceListModel::LabelColumn, QHeaderView::Stretch);
    pathView_ = makeView(this, paths_, true);
    pathView_->header()->setSectionResizeMode(RetentionPathModel::LabelColumn, QHeaderView::Stretch);
    referrersView_ = makeView(this, referrers_, true);
    referentsView_ = makeView(this, referents_, true);
    dominatorView_ = makeView(this, dominators_, true);
    for (auto* view : { referrersView_, referentsView_ })
        view->header()->setSectionResizeMode(ReferenceTreeModel::LabelColumn, QHeaderView::Stretch);
    dominatorView_->header()->setSectionResizeMode(DominatorTreeModel::LabelColumn, QHeaderView::Stretch);
    for (auto* view : { pathView_, referrersView_ })
        view->setItemDelegate(new HighlightDelegate(view));
    const int chars = fontMetrics().averageCharWidth();
    // Room for a whole 64-bit address; trees indent little, so deep paths keep their labels.
    const int addressWidth = fontMetrics().horizontalAdvance(QStringLiteral("0x888888888888")) + chars * 3;
    instanceView_->header()->resizeSection(InstanceListModel::AddressColumn, addressWidth);
    for (auto* view : { pathView_, referrersView_, referentsView_ })
        view->header()->resizeSection(ReferenceTreeModel::AddressColumn, addressWidth);
    dominatorView_->header()->resizeSection(DominatorTreeModel::AddressColumn, addressWidth);
    for (auto* view : { pathView_, referrersView_, referentsView_, dominatorView_ })
        view->setIndentation(chars * 2);
    for (auto* view : { typeView_, instanceView_, pathView_, referrersView_, referentsView_, dominatorView_ })
        keepColumnWidths(view);
    for (auto* view : { pathView_, referrersView_, referentsView_ })
        view->header()->resizeSection(0, chars * 28);
    for (auto* view : { pathView_, referrersView_, referentsView_ })
        view->header()->resizeSection(1, chars * 20);
    dominatorView_->header()->resizeSection(DominatorTreeModel::TypeColumn, chars * 36);

    typeFilter_->setPlaceholderText(tr("Filter types (Ctrl+F)"));
    typeFilter_->setClearButtonEnabled(true);
    connect(typeFilter_, &QLineEdit::textChanged, typeProxy_, &QSortFilterProxyModel::setFilterFixedString);

    back_->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    back_->setToolTip(tr("Back to the previous object (Alt+Left)"));
    forward_->setIcon(style()->standardIcon(QStyle::SP_ArrowForward));
    forward_->setToolTip(tr("Forward (Alt+Right)"));
    connect(back_, &QToolButton::clicked, this, &InspectorView::back);
    connect(forward_, &QToolButton::clicked, this, &InspectorView::forward);
    auto shortcut = [this](QKeySequence keys, auto slot) {
        auto* s = new QShortcut(keys, this, this, slot);
        s->setContext(Qt::WidgetWithChildrenShortcut);
    };
    shortcut(QKeySequence::Back, &InspectorView::back);
    shortcut(QKeySequence::Forward, &InspectorView::forward);
    shortcut(QKeySequence::Refresh, &InspectorView::reload);
    auto* find = new QShortcut(QKeySequence::Find, this, [this] { typeFilter_->setFocus(); });
    find->setContext(Qt::WidgetWithChildrenShortcut);

    tabs_->addTab(referrersView_, tr("Referrers"));
    tabs_->addTab(referentsView_, tr("Referents"));
    tabs_->addTab(dominatorView_, tr("Dominator tree"));
    tabs_->setTabToolTip(0, tr("What refers to the object; the rows on its shortest retention path are highlighted"));
    tabs_->setTabToolTip(1, tr("What the object refers to"));
    tabs_->setTabToolTip(2, tr("Who alone keeps what alive, with retained sizes; the object is selected in it"));

    // A hidden view cannot scroll: centre the revealed object when its tab is shown.
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        if (tabs_->currentWidget() == dominatorView_ && dominatorView_->currentIndex().isValid())
            dominatorView_->scrollTo(dominatorView_->currentIndex(), QAbstractItemView::PositionAtCenter);
    });

    auto* statusBar = new JobStatusBar(this);
    statusBar->track(job_);
    auto* pathTitle = makeTitle(tr("<b>Retention paths</b> — why it is alive: the shortest chains of references "
                                   "from a root"),
        this);
    leftSplitter_->addWidget(stack(this, { typeFilter_, typeView_ }));
    leftSplitter_->addWidget(stack(this, { instancesTitle_, instanceView_ }));
    rightSplitter_->addWidget(stack(this, { objectTitle_, pathTitle, pathView_ }));
    rightSplitter_->addWidget(tabs_);
    rightSplitter_->setStretchFactor(0, 2);
    rightSplitter_->setStretchFactor(1, 3);
    mainSplitter_->addWidget(leftSplitter_);
    mainSplitter_->addWidget(rightSplitter_);
    mainSplitter_->setStretchFactor(0, 2);
    mainSplitter_->setStretchFactor(1, 3);
    for (auto* s : { mainSplitter_, leftSplitter_, rightSplitter_ })
        s->setChildrenCollapsible(false);

    auto* top = new QHBoxLayout;
    top->addWidget(back_);
    top->addWidget(forward_);
    top->addWidget(summary_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusBar);
    layout->addWidget(mainSplitter_, 1);

    connect(typeView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &InspectorView::typeSelected);
    connect(instanceView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            if (!navigating_ && current.isValid())
                showObject(instances_->objectAt(current.row()), true);
        });
    auto follow = [this](const QModelIndex& index) {
        if (index.isValid() && index.data(ObjectIdRole).isValid())
            inspectObject(index.data(ObjectIdRole).toUInt());
    };
    for (auto* view : { pathView_, referrersView_, referentsView_, dominatorView_ }) {
        view->setToolTip(tr("Double-click an object to inspect it"));
        connect(view, &QTreeView::doubleClicked, this, follow);
    }

    connect(context_, &DocumentContext::databaseChanged, this, [this] {
        analysis_.reset();
        reload();
    });
    connect(context_, &DocumentContext::snapshotChanged, this, &InspectorView::reload);
    // A new snapshot matters only while the document follows the newest one.
    connect(context_, &DocumentContext::snapshotsChanged, this, [this] {
        if (!context_->snapshotId())
            reload();
    });
    connect(context_, &DocumentContext::inspectTypeRequested, this, &InspectorView::inspectType);
    connect(context_, &DocumentContext::inspectObjectRequested, this, [this](quint64 address) {
        pendingType_.clear();
        pendingAddress_ = address;
        applyPending();
    });

    restoreViewState(QStringLiteral("inspector"), mainSplitter_, nullptr);
    restoreViewState(QStringLiteral("inspector-left"), leftSplitter_, nullptr);
    restoreViewState(QStringLiteral("inspector-right"), rightSplitter_, nullptr);
    updateNavigation();
    showSummary();
    if (!context_->databasePath().isEmpty())
        reload();
}

InspectorView::~InspectorView()
{
    saveViewState(QStringLiteral("inspector"), mainSplitter_, nullptr);
    saveViewState(QStringLiteral("inspector-left"), leftSplitter_, nullptr);
    saveViewState(QStringLiteral("inspector-right"), rightSplitter_, nullptr);
}

bool InspectorView::isLoading() const
{
    return job_->isRunning();
}

void InspectorView::reload()
{
    const QString path = context_->databasePath();
    const auto wanted = context_->snapshotId();
    if (!path.isEmpty() && analysis_ && wanted == analysis_->info.id && !job_->isRunning())
        return; // already shown
    loadSnapshotInto(
        this, job_, path, wanted,
        [this](std::shared_ptr<const SnapshotAnalysis> analysis) { apply(std::move(analysis)); },
        [this](const QString& error) {
            showSummary(tr("Could not load the snapshot."));
            Q_EMIT loadFailed(error);
        },
        SnapshotParts { .unreachable = true, .types = true });
}

void InspectorView::apply(std::shared_ptr<const SnapshotAnalysis> analysis)
{
    // Keep looking at the same thing in the new snapshot when it holds it: the object at the same
    // address with the same type, else the same type.
    QString keepType;
    std::optional<quint64> keepAddress;
    if (analysis_ && current_ != analysis::kNoObject) {
        keepType = QString::fromStdString(analysis_->graph.typeName(current_));
        keepAddress = analysis_->graph.address[current_];
    }
    analysis_ = std::move(analysis);
    current_ = analysis::kNoObject;
    history_.clear();
    historyPos_ = 0;
    navigating_ = true;
    instances_->clear();
    paths_->clear();
    referrers_->clear();
    referents_->clear();
    types_->setAnalysis(analysis_);
    if (analysis_)
        dominators_->setAnalysis(analysis_);
    else
        dominators_->clear();
    navigating_ = false;
    objectTitle_->clear();
    instancesTitle_->clear();
    showSummary();
    updateNavigation();
    if (!analysis_)
        return;

    if (pendingType_.isEmpty() && !pendingAddress_) {
        if (keepAddress) {
            const auto id = analysis_->graph.find(*keepAddress);
            if (id != analysis::kNoObject && QString::fromStdString(analysis_->graph.typeName(id)) == keepType)
                pendingAddress_ = keepAddress;
            else
                pendingType_ = keepType;
        }
    }
    if (!pendingType_.isEmpty() || pendingAddress_)
        applyPending();
    else if (typeProxy_->rowCount() > 0)
        typeView_->setCurrentIndex(typeProxy_->index(0, 0));
    Q_EMIT loaded();
}

void InspectorView::inspectType(const QString& type)
{
    pendingAddress_.reset();
    pendingType_ = type;
    applyPending();
}

void InspectorView::applyPending()
{
    // Requests wait for the analysis of the snapshot the document shows.
    if (!analysis_ || job_->isRunning())
        return;
    if (pendingAddress_) {
        const auto id = analysis_->graph.find(*pendingAddress_);
        if (id == analysis::kNoObject)
            showSummary(tr("Snapshot %1 holds no object at %2.")
                            .arg(QString::number(analysis_->info.id), formatAddress(*pendingAddress_)));
        else
            inspectObject(id);
    } else if (!pendingType_.isEmpty()) {
        int row = types_->rowOfType(pendingType_);
        if (row < 0) {
            showSummary(
                tr("Snapshot %1 holds no object of type %2.").arg(QString::number(analysis_->info.id), pendingType_));
        } else {
            QModelIndex index = typeProxy_->mapFromSource(types_->index(row, 0));
            if (!index.isValid()) { // filtered out
                typeFilter_->clear();
                index = typeProxy_->mapFromSource(types_->index(row, 0));
            }
            typeView_->setCurrentIndex(index);
            typeView_->scrollTo(index);
        }
    }
    pendingType_.clear();
    pendingAddress_.reset();
}

void InspectorView::typeSelected(const QModelIndex& proxyIndex)
{
    if (!analysis_ || !proxyIndex.isValid())
        return;
    const auto type = types_->typeAt(typeProxy_->mapToSource(proxyIndex).row());
    instances_->setType(analysis_, type);
    // The instance list's own sort applies to the new type too (the list comes largest retained first).
    const auto* header = instanceView_->header();
    if (header->sortIndicatorSection() != InstanceListModel::RetainedColumn
        || header->sortIndicatorOrder() != Qt::DescendingOrder)
        instances_->sort(header->sortIndicatorSection(), header->sortIndicatorOrder());
    const auto total = instances_->totalCount();
    instancesTitle_->setText(
        tr("<b>Instances</b> of %1: %2")
            .arg(QString::fromStdString(analysis_->graph.typeNames[type]).toHtmlEscaped(), formatCount(total)));
    if (!navigating_ && total > 0)
        instanceView_->setCurrentIndex(instances_->index(0, 0));
}

void InspectorView::inspectObject(analysis::ObjectId object)
{
    if (!analysis_ || object >= analysis_->graph.objectCount())
        return;
    revealInLists(object);
    showObject(object, true);
}

void InspectorView::revealInLists(analysis::ObjectId object)
{
    // Select the object's type and its row without the selection handlers showing something else.
    navigating_ = true;
    const int typeRow = types_->rowOfType(QString::fromStdString(analysis_->graph.typeName(object)));
    QModelIndex typeIndex = typeProxy_->mapFromSource(types_->index(typeRow, 0));
    if (!typeIndex.isValid() && typeRow >= 0) {
        typeFilter_->clear();
        typeIndex = typeProxy_->mapFromSource(types_->index(typeRow, 0));
    }
    if (typeIndex.isValid() && typeView_->currentIndex().row() != typeIndex.row())
        typeView_->setCurrentIndex(typeIndex);
    else if (typeIndex.isValid() && instances_->totalCount() == 0)
        typeSelected(typeIndex);
    typeView_->scrollTo(typeIndex);
    const int row = instances_->revealObject(object);
    if (row >= 0) {
        instanceView_->setCurrentIndex(instances_->index(row, 0));
        instanceView_->scrollTo(instances_->index(row, 0));
    }
    navigating_ = false;
}

void InspectorView::showObject(analysis::ObjectId object, bool remember)
{
    if (!analysis_ || object == analysis::kNoObject)
        return;
    current_ = object;
    if (remember && (history_.empty() || history_[historyPos_] != object)) {
        if (!history_.empty())
            history_.resize(historyPos_ + 1);
        history_.push_back(object);
        historyPos_ = history_.size() - 1;
    }
    objectTitle_->setText(
        QStringLiteral("<b>%1</b><br>%2")
            .arg(describeObject(*analysis_, object).toHtmlEscaped(), objectStatus(*analysis_, object).toHtmlEscaped()));
    paths_->setObject(analysis_, object);
    pathView_->expandToDepth(0);
    referrers_->setObject(analysis_, object);
    referents_->setObject(analysis_, object);
    revealInTrees();
    updateNavigation();
    Q_EMIT objectShown(object);
}

void InspectorView::revealInTrees()
{
    // Open the referrers tree along the retention path, as far as it goes.
    QModelIndex step = referrers_->highlightedChild({});
    for (int depth = 0; step.isValid() && depth < 64; ++depth) {
        referrersView_->expand(step);
        const QModelIndex next = referrers_->highlightedChild(step);
        if (!next.isValid())
            break;
        step = next;
    }
    referrersView_->scrollToTop();

    dominatorView_->collapseAll();
    const QModelIndex inTree = dominators_->reveal(current_);
    if (inTree.isValid()) {
        for (QModelIndex p = inTree.parent(); p.isValid(); p = p.parent())
            dominatorView_->expand(p);
        dominatorView_->setCurrentIndex(inTree);
        dominatorView_->scrollTo(inTree, QAbstractItemView::PositionAtCenter); // its dominators stay in sight
    } else {
        dominatorView_->setCurrentIndex({});
    }
}

void InspectorView::back()
{
    if (historyPos_ == 0 || history_.empty())
        return;
    --historyPos_;
    revealInLists(history_[historyPos_]);
    showObject(history_[historyPos_], false);
}

void InspectorView::forward()
{
    if (historyPos_ + 1 >= history_.size())
        return;
    ++historyPos_;
    revealInLists(history_[historyPos_]);
    showObject(history_[historyPos_], false);
}

void InspectorView::updateNavigation()
{
    back_->setEnabled(!history_.empty() && historyPos_ > 0);
    forward_->setEnabled(historyPos_ + 1 < history_.size());
}

void InspectorView::showSummary(const QString& text)
{
    if (!text.isEmpty()) {
        summary_->setText(text.toHtmlEscaped());
        return;
    }
    if (context_->databasePath().isEmpty()) {
        summary_->setText(tr("No recording open."));
    } else if (!analysis_) {
        summary_->setText(job_->isRunning() ? QString()
                                            : tr("This file holds no heap snapshots. Take one with “Take snapshot” "
                                                 "while recording, or with gcscope snapshot --pid PID -o FILE."));
    } else {
        const auto& a = *analysis_;
        summary_->setText(tr("<b>Snapshot %1</b> · %2 · %3 objects · %4 roots · %5 garbage objects (%6)")
                              .arg(QString::number(a.info.id), formatTime(a.info.takenNs),
                                  formatCount(a.graph.objectCount()), formatCount(a.roots.roots.size()),
                                  formatCount(a.unreachable().count()), formatBytes(a.unreachable().totalSize)));
    }
}

} // namespace gcscope::ui
