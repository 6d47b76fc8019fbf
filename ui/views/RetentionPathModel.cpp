#include "views/RetentionPathModel.h"

#include "views/ModelRoles.h"
#include "views/ObjectCells.h"
#include "views/SnapshotAnalysis.h"

#include <QFont>

namespace gcscope::ui {
namespace {

ObjectField fieldOf(int column)
{
    switch (column) {
    case RetentionPathModel::TypeColumn:
        return ObjectField::Type;
    case RetentionPathModel::AddressColumn:
        return ObjectField::Address;
    case RetentionPathModel::LabelColumn:
        return ObjectField::Label;
    case RetentionPathModel::ShallowColumn:
        return ObjectField::Shallow;
    default:
        return ObjectField::Retained;
    }
}

} // namespace

RetentionPathModel::RetentionPathModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void RetentionPathModel::setObject(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object)
{
    beginResetModel();
    analysis_ = std::move(analysis);
    paths_ = analysis_->paths->find(object, kMaxPaths);
    endResetModel();
}

void RetentionPathModel::clear()
{
    beginResetModel();
    analysis_.reset();
    paths_ = {};
    endResetModel();
}

QString RetentionPathModel::edgeInto(std::size_t path, std::size_t step) const
{
    const auto& steps = paths_.paths[path].steps;
    if (step == 0) {
        const auto o = steps[0].object;
        return analysis_->roots.isFlaggedRoot(o) ? tr("root (interpreter)") : tr("root");
    }
    const auto label = steps[step - 1].edgeLabel;
    return label == analysis::kNoEdgeLabel ? tr("(reference)")
                                           : QString::fromStdString(analysis_->graph.edgeLabelText(label));
}

QModelIndex RetentionPathModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    if (!parent.isValid()) {
        // An unreachable object has one explanatory row and no paths.
        const int rows = rowCount();
        return row < rows ? createIndex(row, column, quintptr(0)) : QModelIndex();
    }
    if (parent.internalId() != 0)
        return {};
    const auto path = static_cast<std::size_t>(parent.row());
    if (path >= paths_.paths.size() || static_cast<std::size_t>(row) >= paths_.paths[path].steps.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(path + 1));
}

QModelIndex RetentionPathModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, quintptr(0));
}

int RetentionPathModel::rowCount(const QModelIndex& parent) const
{
    if (!analysis_ || parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return paths_.reachable ? static_cast<int>(paths_.paths.size()) : 1;
    if (parent.internalId() != 0 || !paths_.reachable)
        return 0;
    return static_cast<int>(paths_.paths[static_cast<std::size_t>(parent.row())].steps.size());
}

int RetentionPathModel::columnCount(const QModelIndex& parent) const
{
    return parent.column() > 0 ? 0 : ColumnCount;
}

QVariant RetentionPathModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !analysis_)
        return {};
    if (index.internalId() == 0)
        return pathData(static_cast<std::size_t>(index.row()), index.column(), role);
    return stepData(index.internalId() - 1, static_cast<std::size_t>(index.row()), index.column(), role);
}

QVariant RetentionPathModel::pathData(std::size_t path, int column, int role) const
{
    if (!paths_.reachable) {
        if (role == Qt::DisplayRole && column == StepColumn)
            return tr("No path from a root: this object is garbage (or held only by garbage); the next full "
                      "collection frees it.");
        return {};
    }
    const auto& p = paths_.paths[path];
    if (role == Qt::DisplayRole && column == StepColumn)
        return p.length() == 0
            ? tr("A root itself")
            : tr("Path %1: %2 reference(s)").arg(QString::number(path + 1), QString::number(p.length()));
    if (role == Qt::DisplayRole && column == TypeColumn && path == 0)
        return tr("shortest");
    if (role == HighlightRole)
        return path == 0;
    if (role == Qt::FontRole && path == 0) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    return {};
}

QVariant RetentionPathModel::stepData(std::size_t path, std::size_t step, int column, int role) const
{
    const auto& steps = paths_.paths[path].steps;
    const auto object = steps[step].object;
    const bool target = step + 1 == steps.size();
    if (role == HighlightRole)
        return path == 0;
    if (role == Qt::FontRole && (path == 0 || target)) {
        QFont font;
        font.setBold(path == 0);
        font.setItalic(target);
        return font;
    }
    if (column == StepColumn) {
        if (role == Qt::DisplayRole)
            return edgeInto(path, step);
        if (role == Qt::ToolTipRole)
            return step == 0 ? tr("Where the path starts: held from outside the snapshot")
                             : tr("The reference from the step above that leads here");
        if (role == ObjectIdRole || role == AddressRole || role == TypeNameRole)
            return objectCell(*analysis_, object, ObjectField::Type, role);
        return {};
    }
    return objectCell(*analysis_, object, fieldOf(column), role);
}

QVariant RetentionPathModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    return section == StepColumn ? tr("Reached through") : objectHeaderText(fieldOf(section));
}

} // namespace gcscope::ui
