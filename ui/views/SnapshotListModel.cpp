#include "views/SnapshotListModel.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"

#include "snapshot/snapshot_store.h"

namespace gcscope::ui {

SnapshotListModel::SnapshotListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SnapshotListModel::setSnapshots(std::vector<storage::SnapshotInfo> snapshots)
{
    beginResetModel();
    snapshots_ = std::move(snapshots);
    endResetModel();
}

int SnapshotListModel::rowOf(std::int64_t id) const
{
    for (std::size_t i = 0; i < snapshots_.size(); ++i)
        if (snapshots_[i].id == id)
            return static_cast<int>(i);
    return -1;
}

std::optional<std::int64_t> SnapshotListModel::idAt(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= snapshots_.size())
        return std::nullopt;
    return snapshots_[static_cast<std::size_t>(row)].id;
}

int SnapshotListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(snapshots_.size());
}

int SnapshotListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SnapshotListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto& s = snapshots_[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case IdColumn:
            return QString::number(s.id);
        case TakenColumn:
            return formatTime(s.takenNs);
        case ObjectsColumn:
            return formatCount(s.objects);
        case ReferencesColumn:
            return formatCount(s.references);
        case PauseColumn:
            return formatMilliseconds(s.pauseNs);
        case MethodColumn:
            return s.byChild ? tr("child, %1").arg(formatBytes(s.extraMemoryBytes)) : tr("in the target");
        case LabelColumn:
            if (s.label)
                return QString::fromStdString(*s.label);
            return s.sessionId ? tr("session %1").arg(*s.sessionId) : tr("taken on its own");
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case IdColumn:
            return static_cast<qlonglong>(s.id);
        case TakenColumn:
            return static_cast<qlonglong>(s.takenNs);
        case ObjectsColumn:
            return static_cast<qulonglong>(s.objects);
        case ReferencesColumn:
            return static_cast<qulonglong>(s.references);
        case PauseColumn:
            return static_cast<qlonglong>(s.pauseNs);
        case MethodColumn:
            return s.byChild ? static_cast<qlonglong>(s.extraMemoryBytes) : qlonglong(-1);
        case LabelColumn:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != LabelColumn && index.column() != TakenColumn
        && index.column() != MethodColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return tr("Snapshot %1 of process %2 (Python %3): %4 objects, %5 of them GC-tracked; the target was "
                  "paused %6 (%7); storing it took %8")
            .arg(QString::number(s.id), QString::number(s.pid), QString::fromStdString(s.pythonVersion),
                formatCount(s.objects), formatCount(s.trackedObjects), formatMilliseconds(s.pauseNs),
                QString::fromStdString(snapshot::methodText(s.byChild, s.methodNote, s.extraMemoryBytes)),
                formatMilliseconds(s.ingestNs));
    return {};
}

QVariant SnapshotListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn:
            return tr("Id");
        case TakenColumn:
            return tr("Taken");
        case ObjectsColumn:
            return tr("Objects");
        case ReferencesColumn:
            return tr("References");
        case PauseColumn:
            return tr("Pause");
        case MethodColumn:
            return tr("Walked by");
        case LabelColumn:
            return tr("Label");
        }
    }
    if (role == Qt::ToolTipRole && section == PauseColumn)
        return tr("How long the target's Python threads were held: to clone it when a copy-on-write child walked "
                  "the heap, for the whole walk when the target walked it");
    if (role == Qt::ToolTipRole && section == MethodColumn)
        return tr("A copy-on-write child of the target (and the memory it cost), or the target itself (--no-fork, or "
                  "too little memory for a child: the tooltip of the row says why)");
    if (role == Qt::TextAlignmentRole && section != LabelColumn && section != TakenColumn && section != MethodColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
