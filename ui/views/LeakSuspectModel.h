// The Leaks view's table: one row per leak suspect of a report, most important first (the report's
// order), with what named it, count and size growth and their rates, a sparkline (SeriesRole), the
// retained size and the owner. TypeNameRole gives the suspect's type and AddressRole its
// representative instance (the last step of its retention path), when the report has a snapshot.
#pragma once

#include "report/LeakReport.h"

#include <QAbstractTableModel>

#include <memory>

namespace gcscope::ui {

class LeakSuspectModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        SuspectColumn,
        EvidenceColumn,
        TrendColumn,
        CountDeltaColumn,
        CountRateColumn,
        SizeDeltaColumn,
        SizeRateColumn,
        RetainedColumn,
        OwnerColumn,
        ColumnCount
    };

    explicit LeakSuspectModel(QObject* parent = nullptr);

    // Replaces the whole report (a model reset); null empties the table.
    void setReport(std::shared_ptr<const report::LeakReport> report);
    const report::LeakReport* report() const { return report_.get(); }
    const report::Suspect* suspectAt(int row) const;
    int rowOfType(const QString& type) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const report::Suspect& s, int column) const;
    QVariant sortKey(const report::Suspect& s, int row, int column) const;
    QVariant toolTip(const report::Suspect& s, int column) const;

    std::shared_ptr<const report::LeakReport> report_;
};

} // namespace gcscope::ui
