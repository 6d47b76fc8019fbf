#include "views/TypeSummaryModel.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"

namespace gcscope::ui {

TypeSummaryModel::TypeSummaryModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void TypeSummaryModel::setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis)
{
    beginResetModel();
    analysis_ = std::move(analysis);
    endResetModel();
}

int TypeSummaryModel::rowOfType(const QString& type) const
{
    if (!analysis_)
        return -1;
    const std::string name = type.toStdString();
    const auto& rows = analysis_->types().types;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (analysis_->graph.typeNames[rows[i].type] == name)
            return static_cast<int>(i);
    return -1;
}

std::uint32_t TypeSummaryModel::typeAt(int row) const
{
    return analysis_->types().types[static_cast<std::size_t>(row)].type;
}

int TypeSummaryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !analysis_ ? 0 : static_cast<int>(analysis_->types().types.size());
}

int TypeSummaryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TypeSummaryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto& t = analysis_->types().types[static_cast<std::size_t>(index.row())];
    const QString name = QString::fromStdString(analysis_->graph.typeNames[t.type]);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TypeColumn:
            return name;
        case CountColumn:
            return formatCount(t.count);
        case ShallowColumn:
            return formatBytes(t.shallowSize);
        case RetainedColumn:
            return formatBytes(t.retainedSize);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case TypeColumn:
            return name;
        case CountColumn:
            return static_cast<qulonglong>(t.count);
        case ShallowColumn:
            return static_cast<qulonglong>(t.shallowSize);
        case RetainedColumn:
            return static_cast<qulonglong>(t.retainedSize);
        }
        break;
    case TypeNameRole:
        return name;
    case Qt::TextAlignmentRole:
        if (index.column() != TypeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return tr("%1: %2 objects, %3 shallow, %4 retained")
            .arg(name, formatCount(t.count), formatBytes(t.shallowSize), formatBytes(t.retainedSize));
    default:
        break;
    }
    return {};
}

QVariant TypeSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TypeColumn:
            return tr("Type");
        case CountColumn:
            return tr("Objects");
        case ShallowColumn:
            return tr("Shallow");
        case RetainedColumn:
            return tr("Retained");
        }
    }
    if (role == Qt::ToolTipRole && section == RetainedColumn)
        return tr("What freeing every object of the type would free (each object counted once)");
    if (role == Qt::TextAlignmentRole && section != TypeColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
