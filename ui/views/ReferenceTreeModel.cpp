#include "views/ReferenceTreeModel.h"

#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"

#include <algorithm>

namespace gcscope::ui {

ReferenceTreeModel::ReferenceTreeModel(Direction direction, QObject* parent)
    : ObjectTreeModel({ { ColumnKind::Edge }, { ColumnKind::Field, ObjectField::Type },
                          { ColumnKind::Field, ObjectField::Address }, { ColumnKind::Field, ObjectField::Label },
                          { ColumnKind::Field, ObjectField::Shallow }, { ColumnKind::Field, ObjectField::Retained } },
        parent)
    , direction_(direction)
{
}

void ReferenceTreeModel::setObject(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object)
{
    path_.clear();
    if (direction_ == Direction::Referrers) {
        const auto found = analysis->paths->find(object, 1);
        if (found.reachable && !found.paths.empty())
            for (const auto& step : found.paths.front().steps)
                path_.push_back(step.object);
    }
    resetRoot(std::move(analysis), object);
}

QString ReferenceTreeModel::edgeHeader() const
{
    return direction_ == Direction::Referents ? tr("Held as") : tr("Holds it as");
}

std::size_t ReferenceTreeModel::childCount(analysis::ObjectId object) const
{
    return direction_ == Direction::Referents ? analysis_->graph.referents(object).size()
                                              : analysis_->referrers.of(object).size();
}

std::vector<ObjectTreeModel::Child> ReferenceTreeModel::listChildren(const Node& node) const
{
    const auto& a = *analysis_;
    std::vector<Child> children;
    if (direction_ == Direction::Referents) {
        const auto targets = a.graph.referents(node.object);
        const auto labels = a.graph.referentLabels(node.object);
        children.reserve(targets.size());
        for (std::size_t i = 0; i < targets.size(); ++i)
            children.push_back({ targets[i], labels[i], false });
        return children;
    }
    const auto referrers = analysis::referrersOf(a.graph, a.referrers, node.object);
    children.reserve(referrers.size());
    for (const auto& r : referrers)
        children.push_back({ r.object, r.label, false });
    // The step before this node on the retention path (path_ runs root..target; depth d is d steps
    // back from the target) goes first and highlighted; the others nearest to a root first.
    const auto depth = static_cast<std::size_t>(node.depth) + 1;
    const bool onPath = node.highlighted && depth < path_.size();
    const auto pathObject = onPath ? path_[path_.size() - 1 - depth] : analysis::kNoObject;
    std::stable_sort(children.begin(), children.end(),
        [&a](const Child& x, const Child& y) { return a.paths->distance(x.object) < a.paths->distance(y.object); });
    if (onPath) {
        const auto it = std::find_if(
            children.begin(), children.end(), [pathObject](const Child& c) { return c.object == pathObject; });
        if (it != children.end()) {
            it->highlighted = true;
            std::rotate(children.begin(), it, it + 1);
        }
    }
    return children;
}

QModelIndex ReferenceTreeModel::highlightedChild(const QModelIndex& parent)
{
    if (canFetchMore(parent) && rowCount(parent) == 0)
        fetchMore(parent);
    const QModelIndex first = index(0, 0, parent);
    return first.isValid() && first.data(HighlightRole).toBool() ? first : QModelIndex();
}

} // namespace gcscope::ui
