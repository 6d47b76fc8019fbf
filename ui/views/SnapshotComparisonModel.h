// Two snapshots compared per type (analysis::compareGraphs), like Chrome DevTools' comparison
// view: count before and after, new objects, freed objects, count and size deltas.
#pragma once

#include "analysis/Comparison.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>
#include <optional>
#include <vector>

namespace gcscope::ui {

struct SnapshotComparison {
    std::optional<std::int64_t> fromId; // unset: compared with nothing, everything is new
    std::int64_t toId = 0;
    std::vector<analysis::TypeComparisonRow> rows; // largest size growth first
};

class SnapshotComparisonModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TypeColumn,
        CountFromColumn,
        CountToColumn,
        AddedColumn,
        FreedColumn,
        CountDeltaColumn,
        SizeToColumn,
        SizeDeltaColumn,
        ColumnCount
    };

    explicit SnapshotComparisonModel(QObject* parent = nullptr);

    void setComparison(std::shared_ptr<const SnapshotComparison> comparison); // a model reset
    const SnapshotComparison* comparison() const { return comparison_.get(); }
    const analysis::TypeComparisonRow* rowAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SnapshotComparison> comparison_;
};

// Filters the comparison by type name and, unless asked otherwise, hides types that did not change.
class ComparisonFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ComparisonFilterProxy(QObject* parent = nullptr);
    void setShowUnchanged(bool show);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    bool showUnchanged_ = false;
};

} // namespace gcscope::ui
