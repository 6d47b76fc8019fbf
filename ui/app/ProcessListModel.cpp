#include "app/ProcessListModel.h"

#include <QGuiApplication>
#include <QPalette>

namespace gcscope::ui {

namespace {

QString commandLine(const discovery::ProcessInfo& p)
{
    QStringList parts;
    for (const auto& a : p.argv)
        parts << QString::fromStdString(a);
    return parts.isEmpty() ? QString::fromStdString(p.exe) : parts.join(QLatin1Char(' '));
}

} // namespace

ProcessListModel::ProcessListModel(QObject* parent)
    : QAbstractTableModel(parent)
    , job_(this)
{
}

void ProcessListModel::refresh()
{
    job_.start([] { return discovery::listPythonProcesses(); },
        [this](JobOutcome<std::vector<discovery::ProcessInfo>> outcome) {
            if (!outcome.value) {
                Q_EMIT refreshFailed(outcome.error);
                return;
            }
            setProcesses(std::move(*outcome.value));
            Q_EMIT refreshed();
        });
}

void ProcessListModel::setProcesses(std::vector<discovery::ProcessInfo> processes)
{
    beginResetModel();
    processes_ = std::move(processes);
    endResetModel();
}

int ProcessListModel::rowOfPid(qint64 pid) const
{
    for (std::size_t i = 0; i < processes_.size(); ++i)
        if (processes_[i].pid == pid)
            return static_cast<int>(i);
    return -1;
}

int ProcessListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(processes_.size());
}

int ProcessListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProcessListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& p = processes_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PidColumn:
            return static_cast<qint64>(p.pid);
        case UserColumn:
            return QString::fromStdString(p.user);
        case PythonColumn:
            return p.python ? QString::fromStdString(p.python->str()) : tr("unknown");
        case AttachColumn:
            if (!p.attachable)
                return tr("no: %1").arg(QString::fromStdString(p.reason));
            // "yes, exact (3.13)", "yes, portable, untested on this version"
            return tr("yes, %1").arg(QString::fromStdString(discovery::describeForm(p.support)));
        case CommandColumn:
            return commandLine(p);
        }
        break;
    case Qt::ToolTipRole:
        if (!p.attachable)
            return tr("gcscope cannot attach to PID %1: %2").arg(p.pid).arg(QString::fromStdString(p.reason));
        if (index.column() == CommandColumn)
            return p.container.contained()
                ? tr("%1\nIn a container: %2").arg(commandLine(p), QString::fromStdString(p.container.describe()))
                : commandLine(p);
        if (index.column() == AttachColumn && p.support.untested)
            return tr("gcscope can attach with its portable agent, which has not been tested on CPython %1: "
                      "references are found exactly, but few are named")
                .arg(p.python ? QString::fromStdString(p.python->str()) : QString());
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == PidColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        // Processes we cannot attach to stay listed (the reason helps) but read as unavailable.
        if (!p.attachable)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        break;
    case PidRole:
        return static_cast<qint64>(p.pid);
    case AttachableRole:
        return p.attachable;
    }
    return {};
}

QVariant ProcessListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PidColumn:
        return tr("PID");
    case UserColumn:
        return tr("User");
    case PythonColumn:
        return tr("Python");
    case AttachColumn:
        return tr("Can attach");
    case CommandColumn:
        return tr("Command line");
    }
    return {};
}

Qt::ItemFlags ProcessListModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace gcscope::ui
