#include "views/InstanceListModel.h"

#include "views/ModelRoles.h"
#include "views/ObjectCells.h"
#include "views/SnapshotAnalysis.h"

#include <algorithm>
#include <limits>

namespace gcscope::ui {
namespace {

ObjectField fieldOf(int column)
{
    switch (column) {
    case InstanceListModel::AddressColumn:
        return ObjectField::Address;
    case InstanceListModel::LabelColumn:
        return ObjectField::Label;
    case InstanceListModel::ShallowColumn:
        return ObjectField::Shallow;
    case InstanceListModel::RetainedColumn:
        return ObjectField::Retained;
    case InstanceListModel::RefcountColumn:
        return ObjectField::Refcount;
    default:
        return ObjectField::Distance;
    }
}

} // namespace

InstanceListModel::InstanceListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void InstanceListModel::setType(std::shared_ptr<const SnapshotAnalysis> analysis, std::uint32_t type)
{
    ++notifying_;
    beginResetModel();
    ++generation_;
    analysis_ = std::move(analysis);
    const auto instances = analysis_->types().instancesOf(type);
    ids_.assign(instances.begin(), instances.end());
    fetched_ = static_cast<int>(std::min<std::size_t>(ids_.size(), kPage));
    endResetModel();
    --notifying_;
}

void InstanceListModel::clear()
{
    ++notifying_;
    beginResetModel();
    ++generation_;
    analysis_.reset();
    ids_.clear();
    fetched_ = 0;
    endResetModel();
    --notifying_;
}

analysis::ObjectId InstanceListModel::objectAt(int row) const
{
    return row >= 0 && row < fetched_ ? ids_[static_cast<std::size_t>(row)] : analysis::kNoObject;
}

int InstanceListModel::revealObject(analysis::ObjectId id)
{
    const auto it = std::find(ids_.begin(), ids_.end(), id);
    if (it == ids_.end())
        return -1;
    const int row = static_cast<int>(it - ids_.begin());
    while (row >= fetched_)
        fetchMore({});
    return row;
}

int InstanceListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : fetched_;
}

int InstanceListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InstanceListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= fetched_ || index.column() >= ColumnCount)
        return {};
    return objectCell(*analysis_, ids_[static_cast<std::size_t>(index.row())], fieldOf(index.column()), role);
}

QVariant InstanceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return objectHeaderText(fieldOf(section));
    if (role == Qt::ToolTipRole && section == DistanceColumn)
        return tr("References on the shortest path from a root; “garbage” when no root reaches it");
    if (role == Qt::ToolTipRole && section == RefcountColumn)
        return tr("ob_refcnt as the snapshot found it; “immortal” for objects CPython never frees (3.12+), whose "
                  "count is a marker");
    if (role == Qt::TextAlignmentRole && section >= ShallowColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool InstanceListModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && static_cast<std::size_t>(fetched_) < ids_.size();
}

void InstanceListModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    if (notifying_ > 0) {
        // Called from a handler of this model's own change signal (QAbstractItemModelTester does
        // that): a change must not start while one is announced, so fetch from the event loop.
        QMetaObject::invokeMethod(
            this,
            [this, generation = generation_] {
                if (generation == generation_)
                    fetchMore({});
            },
            Qt::QueuedConnection);
        return;
    }
    ++notifying_;
    const int more = static_cast<int>(std::min<std::size_t>(ids_.size() - static_cast<std::size_t>(fetched_), kPage));
    beginInsertRows({}, fetched_, fetched_ + more - 1);
    fetched_ += more;
    endInsertRows();
    --notifying_;
}

void InstanceListModel::sort(int column, Qt::SortOrder order)
{
    if (!analysis_ || column < 0 || column >= ColumnCount)
        return;
    ++notifying_;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const auto& a = *analysis_;
    const auto& g = a.graph;
    auto key = [&](analysis::ObjectId id) -> std::uint64_t {
        switch (column) {
        case AddressColumn:
            return g.address[id];
        case ShallowColumn:
            return g.size[id];
        case RetainedColumn:
            return a.dominators.retained[id];
        case DistanceColumn:
            return a.paths->distance(id);
        case RefcountColumn:
            return g.isImmortal(id) ? std::numeric_limits<std::uint64_t>::max()
                                    : static_cast<std::uint64_t>(std::max<std::int64_t>(g.refcount[id], 0));
        default:
            return 0;
        }
    };
    const QModelIndexList before = persistentIndexList();
    std::vector<analysis::ObjectId> persistentIds;
    for (const auto& index : before)
        persistentIds.push_back(ids_[static_cast<std::size_t>(index.row())]);
    const bool descending = order == Qt::DescendingOrder;
    if (column == LabelColumn) {
        std::stable_sort(ids_.begin(), ids_.end(), [&](auto x, auto y) {
            const std::string_view lx = g.labelText(x), ly = g.labelText(y);
            return descending ? ly < lx : lx < ly;
        });
    } else {
        std::stable_sort(ids_.begin(), ids_.end(), [&](auto x, auto y) {
            const auto kx = key(x), ky = key(y);
            return descending ? ky < kx : kx < ky;
        });
    }
    // Rows the view holds on to (current, selection) follow their objects while these stay within the
    // rows fetched (the row count must not change in a layout change).
    QModelIndexList after;
    for (std::size_t i = 0; i < persistentIds.size(); ++i) {
        const auto row = static_cast<int>(std::find(ids_.begin(), ids_.end(), persistentIds[i]) - ids_.begin());
        after.append(row < fetched_ ? index(row, before[i].column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    --notifying_;
}

} // namespace gcscope::ui
