#include "views/SnapshotComparisonModel.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"

namespace gcscope::ui {

SnapshotComparisonModel::SnapshotComparisonModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SnapshotComparisonModel::setComparison(std::shared_ptr<const SnapshotComparison> comparison)
{
    beginResetModel();
    comparison_ = std::move(comparison);
    endResetModel();
}

const analysis::TypeComparisonRow* SnapshotComparisonModel::rowAt(int row) const
{
    if (!comparison_ || row < 0 || static_cast<std::size_t>(row) >= comparison_->rows.size())
        return nullptr;
    return &comparison_->rows[static_cast<std::size_t>(row)];
}

int SnapshotComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !comparison_ ? 0 : static_cast<int>(comparison_->rows.size());
}

int SnapshotComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SnapshotComparisonModel::data(const QModelIndex& index, int role) const
{
    const auto* r = rowAt(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TypeColumn:
            return QString::fromStdString(r->type);
        case CountFromColumn:
            return formatCount(r->countFrom);
        case CountToColumn:
            return formatCount(r->countTo);
        case AddedColumn:
            return formatCount(r->added);
        case FreedColumn:
            return formatCount(r->freed);
        case CountDeltaColumn:
            return formatSignedCount(r->countDelta);
        case SizeToColumn:
            return formatBytes(r->sizeTo);
        case SizeDeltaColumn:
            return formatSignedBytes(r->sizeDelta);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case TypeColumn:
            return QString::fromStdString(r->type);
        case CountFromColumn:
            return static_cast<qulonglong>(r->countFrom);
        case CountToColumn:
            return static_cast<qulonglong>(r->countTo);
        case AddedColumn:
            return static_cast<qulonglong>(r->added);
        case FreedColumn:
            return static_cast<qulonglong>(r->freed);
        case CountDeltaColumn:
            return static_cast<qlonglong>(r->countDelta);
        case SizeToColumn:
            return static_cast<qulonglong>(r->sizeTo);
        case SizeDeltaColumn:
            return static_cast<qlonglong>(r->sizeDelta);
        }
        break;
    case TypeNameRole:
        return QString::fromStdString(r->type);
    case Qt::TextAlignmentRole:
        if (index.column() != TypeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return tr("%1: %2 → %3 objects (%4 new, %5 freed); %6 → %7 (%8 allocated, %9 freed). "
                  "Double-click to inspect its instances.")
            .arg(QString::fromStdString(r->type), formatCount(r->countFrom), formatCount(r->countTo),
                formatCount(r->added), formatCount(r->freed), formatBytes(r->sizeFrom), formatBytes(r->sizeTo),
                formatBytes(r->addedSize), formatBytes(r->freedSize));
    default:
        break;
    }
    return {};
}

QVariant SnapshotComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TypeColumn:
            return tr("Type");
        case CountFromColumn:
            return tr("Before");
        case CountToColumn:
            return tr("After");
        case AddedColumn:
            return tr("New");
        case FreedColumn:
            return tr("Freed");
        case CountDeltaColumn:
            return tr("Δ Count");
        case SizeToColumn:
            return tr("Size");
        case SizeDeltaColumn:
            return tr("Δ Size");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case AddedColumn:
            return tr("Objects of the later snapshot that the earlier one did not hold (matched by address and "
                      "type; an address reused by a new object of the same type counts as kept)");
        case FreedColumn:
            return tr("Objects of the earlier snapshot that the later one no longer holds");
        case SizeToColumn:
            return tr("Shallow size of the type's objects in the later snapshot");
        default:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && section != TypeColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

ComparisonFilterProxy::ComparisonFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setFilterKeyColumn(SnapshotComparisonModel::TypeColumn);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void ComparisonFilterProxy::setShowUnchanged(bool show)
{
    showUnchanged_ = show;
    invalidateFilter();
}

bool ComparisonFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!showUnchanged_) {
        const auto* model = qobject_cast<const SnapshotComparisonModel*>(sourceModel());
        const auto* r = model ? model->rowAt(sourceRow) : nullptr;
        if (r && r->countDelta == 0 && r->sizeDelta == 0 && r->added == 0 && r->freed == 0)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace gcscope::ui
