#include "views/ReportPathModel.h"

#include "views/Formatting.h"
#include "views/LeakText.h"
#include "views/ModelRoles.h"

namespace gcscope::ui {

ReportPathModel::ReportPathModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ReportPathModel::setPath(std::vector<report::PathStep> steps, std::uint64_t owner)
{
    beginResetModel();
    steps_ = std::move(steps);
    owner_ = owner;
    references_.clear();
    for (std::size_t i = 0; i < steps_.size(); ++i)
        references_ << leaks::stepReference(steps_, i);
    endResetModel();
}

int ReportPathModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(steps_.size());
}

int ReportPathModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReportPathModel::data(const QModelIndex& index, int role) const
{
    if (index.row() < 0 || static_cast<std::size_t>(index.row()) >= steps_.size() || index.column() < 0
        || index.column() >= ColumnCount)
        return {};
    const auto i = static_cast<std::size_t>(index.row());
    const auto& step = steps_[i];
    const bool last = i + 1 == steps_.size();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ReferenceColumn:
            if (i == 0)
                return step.root ? tr("root") : tr("start");
            return references_.value(index.row());
        case TypeColumn:
            return QString::fromStdString(step.type);
        case LabelColumn:
            return QString::fromStdString(step.label.empty() ? step.name : step.label);
        case AddressColumn:
            return step.address ? formatAddress(step.address) : QString();
        }
        break;
    case Qt::ToolTipRole:
        if (last)
            return tr("A representative instance, held by the owner. Double-click to inspect it");
        if (owner_ != 0 && step.address == owner_)
            return tr("The owner: it accumulates the suspect's instances. Double-click to inspect it");
        if (i == 0 && !step.name.empty())
            return tr("%1: a root. Double-click to inspect it").arg(QString::fromStdString(step.name));
        return tr("Double-click to inspect this object");
    case HighlightRole:
        return last || (owner_ != 0 && step.address == owner_);
    case AddressRole:
        if (step.address != 0)
            return QVariant::fromValue<quint64>(step.address);
        return {};
    case TypeNameRole:
        return QString::fromStdString(step.type);
    default:
        break;
    }
    return {};
}

QVariant ReportPathModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ReferenceColumn:
        return tr("Reference");
    case TypeColumn:
        return tr("Type");
    case LabelColumn:
        return tr("Label");
    case AddressColumn:
        return tr("Address");
    default:
        return {};
    }
}

} // namespace gcscope::ui
