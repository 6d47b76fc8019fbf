// The snapshots of the open file: id, when, objects, references, how long the target was paused.
#pragma once

#include <QAbstractTableModel>

#include <gcscope/storage/Records.h>

#include <optional>
#include <vector>

namespace gcscope::ui {

class SnapshotListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        TakenColumn,
        ObjectsColumn,
        ReferencesColumn,
        PauseColumn,
        MethodColumn, // walked by a copy-on-write child or in the target
        LabelColumn,
        ColumnCount
    };

    explicit SnapshotListModel(QObject* parent = nullptr);

    void setSnapshots(std::vector<storage::SnapshotInfo> snapshots); // a model reset
    const std::vector<storage::SnapshotInfo>& snapshots() const { return snapshots_; }
    int rowOf(std::int64_t id) const; // -1 when absent
    std::optional<std::int64_t> idAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<storage::SnapshotInfo> snapshots_;
};

} // namespace gcscope::ui
