// The sessions of the open file, for the dashboard's session chooser. While a recording is live
// the list is refreshed often; rows are only reset when sessions were added, so an open chooser
// is not disturbed by a status change.
#pragma once

#include <gcscope/storage/Records.h>

#include <QAbstractListModel>

#include <vector>

namespace gcscope::ui {

class SessionListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { SessionIdRole = Qt::UserRole + 1 };

    explicit SessionListModel(QObject* parent = nullptr);

    void setSessions(std::vector<storage::SessionInfo> sessions);
    const std::vector<storage::SessionInfo>& sessions() const { return sessions_; }
    int rowOf(std::int64_t sessionId) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    // "Session 2 · PID 4242 · Python 3.11.2 · 2025-11-21 10:15:02 · complete"
    static QString describe(const storage::SessionInfo& session);

private:
    std::vector<storage::SessionInfo> sessions_;
};

} // namespace gcscope::ui
