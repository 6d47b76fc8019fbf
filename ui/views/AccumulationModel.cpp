#include "views/AccumulationModel.h"

#include "core/Format.h"
#include "report/ReportText.h"
#include "views/Formatting.h"
#include "views/ModelRoles.h"

#include <QStringList>

namespace gcscope::ui {

AccumulationModel::AccumulationModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void AccumulationModel::setReport(std::shared_ptr<const report::LeakReport> report)
{
    beginResetModel();
    report_ = std::move(report);
    endResetModel();
}

const report::Accumulation* AccumulationModel::accumulationAt(int row) const
{
    if (!report_ || row < 0 || static_cast<std::size_t>(row) >= report_->accumulations.size())
        return nullptr;
    return &report_->accumulations[static_cast<std::size_t>(row)];
}

int AccumulationModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !report_ ? 0 : static_cast<int>(report_->accumulations.size());
}

int AccumulationModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AccumulationModel::data(const QModelIndex& index, int role) const
{
    const auto* a = accumulationAt(index.row());
    if (!a || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case OwnerColumn:
            return QString::fromStdString(a->owner);
        case ItemsColumn:
            return formatCount(a->items);
        case ItemTypeColumn:
            return QString::fromStdString(a->itemType);
        case RetainedColumn:
            return formatBytes(a->retainedSize);
        case ShareColumn:
            return display::percent(a->share);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case OwnerColumn:
            return QString::fromStdString(a->owner);
        case ItemsColumn:
            return static_cast<qulonglong>(a->items);
        case ItemTypeColumn:
            return QString::fromStdString(a->itemType);
        case RetainedColumn:
            return static_cast<qulonglong>(a->retainedSize);
        case ShareColumn:
            return a->share;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == OwnerColumn && !a->retentionPath.empty()) {
            QStringList lines;
            for (const auto& line : report::pathLines(a->retentionPath))
                lines << QString::fromStdString(line);
            return tr("Held from a root by:\n%1\nDouble-click to inspect it").arg(lines.join(QLatin1Char('\n')));
        }
        return {};
    case AddressRole:
        if (report_->snapshotId && a->ownerAddress != 0)
            return QVariant::fromValue<quint64>(a->ownerAddress);
        return {};
    case TypeNameRole:
        return QString::fromStdString(a->ownerType);
    case Qt::TextAlignmentRole:
        if (index.column() != OwnerColumn && index.column() != ItemTypeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        break;
    }
    return {};
}

QVariant AccumulationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case OwnerColumn:
            return tr("Collection");
        case ItemsColumn:
            return tr("Items");
        case ItemTypeColumn:
            return tr("Mostly");
        case RetainedColumn:
            return tr("Retained");
        case ShareColumn:
            return tr("Share");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ItemsColumn:
            return tr("Objects it refers to directly");
        case ItemTypeColumn:
            return tr("The commonest type among its items, by retained size");
        case RetainedColumn:
            return tr("What freeing the collection would free");
        case ShareColumn:
            return tr("Of all reachable memory in the snapshot");
        default:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && section != OwnerColumn && section != ItemTypeColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
