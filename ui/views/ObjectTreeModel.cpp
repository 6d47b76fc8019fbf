#include "views/ObjectTreeModel.h"

#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"

#include <QFont>
#include <QLocale>

#include <algorithm>

namespace gcscope::ui {

ObjectTreeModel::ObjectTreeModel(std::vector<Column> columns, QObject* parent)
    : QAbstractItemModel(parent)
    , columns_(std::move(columns))
{
}

void ObjectTreeModel::resetRoot(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object)
{
    ++notifying_;
    beginResetModel();
    analysis_ = std::move(analysis);
    nodes_.clear();
    nodes_.push_back({ object, analysis::kNoEdgeLabel, true, -1, 0, 0 });
    retainedTotal_ = 0;
    for (auto root : analysis_->dominatorChildren().of(analysis::kVirtualRoot))
        retainedTotal_ += static_cast<double>(analysis_->dominators.retained[root]);
    endResetModel();
    --notifying_;
    fetchChildren(0);
}

void ObjectTreeModel::clearRoot()
{
    ++notifying_;
    beginResetModel();
    analysis_.reset();
    nodes_.clear();
    endResetModel();
    --notifying_;
}

int ObjectTreeModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<int>(index.internalId()) : 0;
}

analysis::ObjectId ObjectTreeModel::objectAt(const QModelIndex& index) const
{
    return index.isValid() && !nodes_.empty() ? node(nodeOf(index)).object : analysis::kNoObject;
}

QModelIndex ObjectTreeModel::indexOfNode(int n, int column) const
{
    if (n <= 0)
        return {};
    return createIndex(node(n).row, column, static_cast<quintptr>(n));
}

QModelIndex ObjectTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (nodes_.empty() || row < 0 || column < 0 || column >= columnCount() || parent.column() > 0)
        return {};
    const auto& p = node(nodeOf(parent));
    if (static_cast<std::size_t>(row) >= p.children.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(p.children[static_cast<std::size_t>(row)]));
}

QModelIndex ObjectTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOfNode(node(nodeOf(child)).parent);
}

int ObjectTreeModel::rowCount(const QModelIndex& parent) const
{
    if (nodes_.empty() || parent.column() > 0)
        return 0;
    return static_cast<int>(node(nodeOf(parent)).children.size());
}

int ObjectTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.column() > 0 ? 0 : static_cast<int>(columns_.size());
}

bool ObjectTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (nodes_.empty() || parent.column() > 0)
        return false;
    const auto& n = node(nodeOf(parent));
    return !n.children.empty() || childCount(n.object) > 0;
}

bool ObjectTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (nodes_.empty() || parent.column() > 0)
        return false;
    const auto& n = node(nodeOf(parent));
    return n.listed ? n.children.size() < n.pending.size() : childCount(n.object) > 0;
}

void ObjectTreeModel::fetchMore(const QModelIndex& parent)
{
    if (canFetchMore(parent) && !deferIfNotifying(parent))
        fetchChildren(nodeOf(parent));
}

bool ObjectTreeModel::deferIfNotifying(const QModelIndex& parent)
{
    // Views never fetch from inside a change notification, but other handlers of the model's
    // signals may (QAbstractItemModelTester walks the model on modelReset and
    // rowsAboutToBeInserted). A model must not start a change while announcing one, so such a
    // fetch runs from the event loop instead, if its row still exists then.
    if (notifying_ == 0)
        return false;
    QMetaObject::invokeMethod(
        this,
        [this, root = !parent.isValid(), row = QPersistentModelIndex(parent)] {
            if (root || row.isValid())
                fetchMore(root ? QModelIndex() : QModelIndex(row));
        },
        Qt::QueuedConnection);
    return true;
}

void ObjectTreeModel::fetchChildren(int n)
{
    if (!node(n).listed) {
        auto list = listChildren(node(n));
        auto& target = nodes_[static_cast<std::size_t>(n)];
        target.pending = std::move(list);
        target.listed = true;
    }
    const auto& p = node(n);
    const std::size_t first = p.children.size();
    const std::size_t count = std::min<std::size_t>(p.pending.size() - first, kPage);
    if (count == 0)
        return;
    ++notifying_;
    beginInsertRows(indexOfNode(n), static_cast<int>(first), static_cast<int>(first + count - 1));
    const int depth = p.depth + 1;
    for (std::size_t i = 0; i < count; ++i) {
        const Child c = node(n).pending[first + i];
        nodes_.push_back({ c.object, c.edgeLabel, c.highlighted, n, static_cast<int>(first + i), depth });
        nodes_[static_cast<std::size_t>(n)].children.push_back(static_cast<int>(nodes_.size() - 1));
    }
    endInsertRows();
    --notifying_;
}

int ObjectTreeModel::revealChild(int n, analysis::ObjectId object)
{
    if (!node(n).listed)
        fetchChildren(n);
    const auto& pending = node(n).pending;
    const auto it
        = std::find_if(pending.begin(), pending.end(), [object](const Child& c) { return c.object == object; });
    if (it == pending.end())
        return -1;
    const auto row = static_cast<std::size_t>(it - pending.begin());
    while (node(n).children.size() <= row)
        fetchChildren(n);
    return node(n).children[row];
}

QString ObjectTreeModel::edgeText(const Node& n) const
{
    return QString::fromStdString(analysis_->graph.edgeLabelText(n.edgeLabel));
}

QVariant ObjectTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || nodes_.empty() || index.column() >= columnCount())
        return {};
    const auto& n = node(nodeOf(index));
    const auto& column = columns_[static_cast<std::size_t>(index.column())];
    if (role == HighlightRole)
        return n.highlighted && n.depth > 0;
    if (role == Qt::FontRole && n.highlighted) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    switch (column.kind) {
    case ColumnKind::Edge:
        if (role == Qt::DisplayRole || role == SortRole)
            return edgeText(n);
        if (role == Qt::ToolTipRole)
            return objectCell(*analysis_, n.object, ObjectField::Type, role);
        break;
    case ColumnKind::RetainedShare:
        if (role == Qt::DisplayRole && retainedTotal_ > 0)
            return QLocale().toString(
                       100.0 * static_cast<double>(analysis_->dominators.retained[n.object]) / retainedTotal_, 'f', 1)
                + QStringLiteral(" %");
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ColumnKind::Field:
        return objectCell(*analysis_, n.object, column.field, role);
    }
    if (role == ObjectIdRole || role == AddressRole || role == TypeNameRole)
        return objectCell(*analysis_, n.object, ObjectField::Type, role);
    return {};
}

QVariant ObjectTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    const auto& column = columns_[static_cast<std::size_t>(section)];
    if (role == Qt::DisplayRole) {
        switch (column.kind) {
        case ColumnKind::Edge:
            return edgeHeader();
        case ColumnKind::RetainedShare:
            return tr("% of heap");
        case ColumnKind::Field:
            return objectHeaderText(column.field);
        }
    }
    if (role == Qt::TextAlignmentRole && column.kind != ColumnKind::Edge
        && (column.kind == ColumnKind::RetainedShare || column.field == ObjectField::Shallow
            || column.field == ObjectField::Retained))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
