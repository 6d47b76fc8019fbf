// The types table: per type, its count and size at the last census, their change over the session,
// the least-squares growth per minute, and the count series for a sparkline (SeriesRole).
#pragma once

#include "views/TypeGrowthTable.h"

#include <QAbstractTableModel>

#include <memory>

namespace gcscope::ui {

class TypeGrowthModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TypeColumn,
        CountColumn,
        CountDeltaColumn,
        SizeColumn,
        SizeDeltaColumn,
        CountRateColumn,
        SizeRateColumn,
        TrendColumn,
        ColumnCount
    };

    explicit TypeGrowthModel(QObject* parent = nullptr);

    // Replaces the whole table (a model reset).
    void setTable(std::shared_ptr<const TypeGrowthTable> table);
    const TypeGrowthTable* table() const { return table_.get(); }
    const TypeGrowthRow* rowAt(int row) const;
    int rowOfType(const QString& type) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const TypeGrowthTable> table_;
};

} // namespace gcscope::ui
