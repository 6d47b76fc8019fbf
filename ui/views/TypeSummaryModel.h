// The inspector's type list: per type of the snapshot, its objects, their shallow bytes and what
// they retain together (analysis::summarizeTypes).
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace gcscope::ui {

struct SnapshotAnalysis;

class TypeSummaryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TypeColumn, CountColumn, ShallowColumn, RetainedColumn, ColumnCount };

    explicit TypeSummaryModel(QObject* parent = nullptr);

    void setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis); // a model reset
    int rowOfType(const QString& type) const; // -1 when absent
    std::uint32_t typeAt(int row) const; // index into the graph's typeNames

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SnapshotAnalysis> analysis_;
};

} // namespace gcscope::ui
