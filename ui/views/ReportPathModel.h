// A retention path from a leak report, root first, one row per step: how the previous step refers
// to it, its type, its label and its address (AddressRole, for the inspector). The suspect's owner
// and the representative instance at the end are highlighted (HighlightRole).
#pragma once

#include "report/LeakReport.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace gcscope::ui {

class ReportPathModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ReferenceColumn, TypeColumn, LabelColumn, AddressColumn, ColumnCount };

    explicit ReportPathModel(QObject* parent = nullptr);

    // A model reset. `owner`: the address of the step to highlight besides the last (0: none).
    void setPath(std::vector<report::PathStep> steps, std::uint64_t owner = 0);
    void clear() { setPath({}); }
    const std::vector<report::PathStep>& steps() const { return steps_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<report::PathStep> steps_;
    QStringList references_; // per step, as the reports print them
    std::uint64_t owner_ = 0;
};

} // namespace gcscope::ui
