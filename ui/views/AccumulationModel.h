// The largest accumulation points of a leak report's last snapshot: collections whose contents
// retain the most memory. Where memory collects, not leaks by themselves (one snapshot cannot tell
// growth from size). AddressRole gives the collection's address, for the inspector.
#pragma once

#include "report/LeakReport.h"

#include <QAbstractTableModel>

#include <memory>

namespace gcscope::ui {

class AccumulationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { OwnerColumn, ItemsColumn, ItemTypeColumn, RetainedColumn, ShareColumn, ColumnCount };

    explicit AccumulationModel(QObject* parent = nullptr);

    void setReport(std::shared_ptr<const report::LeakReport> report); // a model reset; null empties it
    const report::Accumulation* accumulationAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const report::LeakReport> report_;
};

} // namespace gcscope::ui
