#include "views/CycleListModel.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"

namespace gcscope::ui {

CycleListModel::CycleListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void CycleListModel::setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis)
{
    beginResetModel();
    analysis_ = std::move(analysis);
    endResetModel();
}

QString CycleListModel::typesSummary(int row, int limit) const
{
    const auto& cycle = analysis_->cycles().cycles[static_cast<std::size_t>(row)];
    QStringList parts;
    for (std::size_t i = 0; i < cycle.types.size() && static_cast<int>(i) < limit; ++i)
        parts << QStringLiteral("%1×%2").arg(
            formatCount(cycle.types[i].count), QString::fromStdString(analysis_->graph.typeNames[cycle.types[i].type]));
    if (cycle.types.size() > static_cast<std::size_t>(limit))
        parts << tr("%1 more types").arg(QString::number(cycle.types.size() - static_cast<std::size_t>(limit)));
    return parts.join(QStringLiteral(", "));
}

int CycleListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !analysis_ ? 0 : static_cast<int>(analysis_->cycles().cycles.size());
}

int CycleListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CycleListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto& c = analysis_->cycles().cycles[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ObjectsColumn:
            return formatCount(c.memberCount);
        case SizeColumn:
            return formatBytes(c.totalSize);
        case TypesColumn:
            return typesSummary(index.row());
        case GarbageColumn:
            return c.unreachable ? tr("garbage") : QString();
        case FinalizerColumn:
            return c.hasFinalizer ? tr("__del__") : QString();
        }
        break;
    case SortRole:
        switch (index.column()) {
        case ObjectsColumn:
            return static_cast<qulonglong>(c.memberCount);
        case SizeColumn:
            return static_cast<qulonglong>(c.totalSize);
        case TypesColumn:
            return typesSummary(index.row());
        case GarbageColumn:
            return c.unreachable;
        case FinalizerColumn:
            return c.hasFinalizer;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == ObjectsColumn || index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole: {
        QString tip = tr("%1 objects, %2: %3")
                          .arg(formatCount(c.memberCount), formatBytes(c.totalSize), typesSummary(index.row(), 12));
        if (c.unreachable)
            tip += QLatin1Char('\n') + tr("Garbage: no root reaches it; the next full collection frees it.");
        if (c.hasFinalizer)
            tip += QLatin1Char('\n') + tr("A member defines __del__: the collector runs it before freeing the cycle.");
        return tip;
    }
    default:
        break;
    }
    return {};
}

QVariant CycleListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case ObjectsColumn:
            return tr("Objects");
        case SizeColumn:
            return tr("Size");
        case TypesColumn:
            return tr("Types");
        case GarbageColumn:
            return tr("Garbage?");
        case FinalizerColumn:
            return tr("__del__?");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case GarbageColumn:
            return tr("Unreachable from every root: the next full collection frees it");
        case FinalizerColumn:
            return tr("A member's type defines __del__");
        case SizeColumn:
            return tr("Shallow size of the members");
        default:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && (section == ObjectsColumn || section == SizeColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
