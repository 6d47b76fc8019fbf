// The local Python processes (what `gcscope ps` lists) as a table: PID, user, Python version,
// whether gcscope can attach and why not, command line. refresh() reads /proc and the ELF files
// on a worker thread; the rows are replaced whole when it is done.
#pragma once

#include "core/LatestJob.h"

#include "discovery/process_info.h"

#include <QAbstractTableModel>

#include <vector>

namespace gcscope::ui {

class ProcessListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { PidColumn, UserColumn, PythonColumn, AttachColumn, CommandColumn, ColumnCount };
    enum Role { PidRole = Qt::UserRole + 1, AttachableRole };

    explicit ProcessListModel(QObject* parent = nullptr);

    void refresh();
    bool refreshing() const { return job_.busy(); }
    void setProcesses(std::vector<discovery::ProcessInfo> processes);
    const std::vector<discovery::ProcessInfo>& processes() const { return processes_; }
    int rowOfPid(qint64 pid) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

Q_SIGNALS:
    void refreshed();
    void refreshFailed(const QString& message);

private:
    LatestJob<std::vector<discovery::ProcessInfo>> job_;
    std::vector<discovery::ProcessInfo> processes_;
};

} // namespace gcscope::ui
