// The reference cycles of a snapshot (analysis::findCycles): strongly connected components,
// unreachable ones and those with finalizers first, with their size and the types in them.
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace gcscope::ui {

struct SnapshotAnalysis;

class CycleListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ObjectsColumn, SizeColumn, TypesColumn, GarbageColumn, FinalizerColumn, ColumnCount };

    explicit CycleListModel(QObject* parent = nullptr);

    void setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis); // a model reset
    const SnapshotAnalysis* analysis() const { return analysis_.get(); }
    // "2×__main__.Person, 1×dict, ..." (at most `limit` types).
    QString typesSummary(int row, int limit = 4) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SnapshotAnalysis> analysis_;
};

} // namespace gcscope::ui
