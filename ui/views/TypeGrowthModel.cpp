#include "views/TypeGrowthModel.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"

#include <algorithm>

namespace gcscope::ui {

TypeGrowthModel::TypeGrowthModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void TypeGrowthModel::setTable(std::shared_ptr<const TypeGrowthTable> table)
{
    beginResetModel();
    table_ = std::move(table);
    endResetModel();
}

const TypeGrowthRow* TypeGrowthModel::rowAt(int row) const
{
    if (!table_ || row < 0 || static_cast<std::size_t>(row) >= table_->rows.size())
        return nullptr;
    return &table_->rows[static_cast<std::size_t>(row)];
}

int TypeGrowthModel::rowOfType(const QString& type) const
{
    if (!table_)
        return -1;
    // Rows are sorted by name (the reader's order).
    const auto& rows = table_->rows;
    const auto it = std::lower_bound(rows.begin(), rows.end(), type,
        [](const TypeGrowthRow& r, const QString& t) { return r.type.toStdString() < t.toStdString(); });
    return it != rows.end() && it->type == type ? static_cast<int>(it - rows.begin()) : -1;
}

int TypeGrowthModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !table_ ? 0 : static_cast<int>(table_->rows.size());
}

int TypeGrowthModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TypeGrowthModel::data(const QModelIndex& index, int role) const
{
    const auto* row = rowAt(index.row());
    if (!row || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const auto& g = row->growth;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TypeColumn:
            return row->type;
        case CountColumn:
            return formatCount(row->count);
        case CountDeltaColumn:
            return formatSignedCount(g.countDelta);
        case SizeColumn:
            return formatBytes(row->size);
        case SizeDeltaColumn:
            return formatSignedBytes(g.sizeDelta);
        case CountRateColumn:
            return formatRate(g.countPerMinute, false);
        case SizeRateColumn:
            return formatRate(g.sizePerMinute, true);
        case TrendColumn:
            return {};
        }
        break;
    case SortRole:
        switch (index.column()) {
        case TypeColumn:
            return row->type;
        case CountColumn:
            return static_cast<qulonglong>(row->count);
        case CountDeltaColumn:
            return static_cast<qlonglong>(g.countDelta);
        case SizeColumn:
            return static_cast<qulonglong>(row->size);
        case SizeDeltaColumn:
            return static_cast<qlonglong>(g.sizeDelta);
        case CountRateColumn:
        case TrendColumn:
            return g.countPerMinute;
        case SizeRateColumn:
            return g.sizePerMinute;
        }
        break;
    case SeriesRole:
        return QVariant::fromValue(row->counts);
    case TypeNameRole:
        return row->type;
    case Qt::TextAlignmentRole:
        if (index.column() != TypeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (index.column() == TrendColumn || index.column() == CountRateColumn || index.column() == SizeRateColumn)
            return tr("%1: %2 objects (%3), least-squares growth %4, %5 over %6 censuses")
                .arg(row->type, formatCount(row->count), formatBytes(row->size), formatRate(g.countPerMinute, false),
                    formatRate(g.sizePerMinute, true), QString::number(row->counts.size()));
        if (index.column() == TypeColumn)
            return row->type;
        break;
    default:
        break;
    }
    return {};
}

QVariant TypeGrowthModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TypeColumn:
            return tr("Type");
        case CountColumn:
            return tr("Count");
        case CountDeltaColumn:
            return tr("Δ Count");
        case SizeColumn:
            return tr("Size");
        case SizeDeltaColumn:
            return tr("Δ Size");
        case CountRateColumn:
            return tr("Count/min");
        case SizeRateColumn:
            return tr("Size/min");
        case TrendColumn:
            return tr("Count over time");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case CountColumn:
        case SizeColumn:
            return tr("At the last census (GC-tracked objects; sizes are shallow)");
        case CountDeltaColumn:
        case SizeDeltaColumn:
            return tr("Last census minus first");
        case CountRateColumn:
        case SizeRateColumn:
            return tr("Least-squares slope over every census: steady growth stands out from a burst");
        default:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && section != TypeColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
