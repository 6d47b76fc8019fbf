#include "dashboard/SessionListModel.h"

#include <QDateTime>
#include <QLocale>

namespace gcscope::ui {

SessionListModel::SessionListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

void SessionListModel::setSessions(std::vector<storage::SessionInfo> sessions)
{
    const bool sameRows = sessions.size() == sessions_.size()
        && std::equal(sessions.begin(), sessions.end(), sessions_.begin(),
            [](const storage::SessionInfo& a, const storage::SessionInfo& b) { return a.id == b.id; });
    if (sameRows) {
        sessions_ = std::move(sessions);
        if (!sessions_.empty())
            Q_EMIT dataChanged(index(0), index(rowCount() - 1));
        return;
    }
    beginResetModel();
    sessions_ = std::move(sessions);
    endResetModel();
}

int SessionListModel::rowOf(std::int64_t sessionId) const
{
    for (std::size_t i = 0; i < sessions_.size(); ++i)
        if (sessions_[i].id == sessionId)
            return static_cast<int>(i);
    return -1;
}

int SessionListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(sessions_.size());
}

QVariant SessionListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& s = sessions_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return describe(s);
    case Qt::ToolTipRole: {
        QStringList argv;
        for (const auto& a : s.argv)
            argv << QString::fromStdString(a);
        return argv.join(QLatin1Char(' '));
    }
    case SessionIdRole:
        return QVariant::fromValue<qint64>(s.id);
    default:
        return {};
    }
}

QString SessionListModel::describe(const storage::SessionInfo& s)
{
    const auto started = QDateTime::fromMSecsSinceEpoch(s.startedNs / 1'000'000);
    return tr("Session %1 · PID %2 · Python %3 · %4 · %5")
        .arg(s.id)
        .arg(s.pid)
        .arg(QString::fromStdString(s.pythonVersion), QLocale().toString(started, QLocale::ShortFormat),
            s.complete ? tr("complete") : tr("incomplete"));
}

} // namespace gcscope::ui
