#include "views/DominatorTreeModel.h"

#include "views/SnapshotAnalysis.h"

#include <algorithm>

namespace gcscope::ui {

DominatorTreeModel::DominatorTreeModel(QObject* parent)
    : ObjectTreeModel({ { ColumnKind::Field, ObjectField::Type }, { ColumnKind::Field, ObjectField::Address },
                          { ColumnKind::Field, ObjectField::Label }, { ColumnKind::Field, ObjectField::Shallow },
                          { ColumnKind::Field, ObjectField::Retained }, { ColumnKind::RetainedShare } },
        parent)
{
}

void DominatorTreeModel::setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis)
{
    resetRoot(std::move(analysis), analysis::kVirtualRoot);
}

std::size_t DominatorTreeModel::childCount(analysis::ObjectId object) const
{
    return analysis_->dominatorChildren().of(object).size();
}

std::vector<ObjectTreeModel::Child> DominatorTreeModel::listChildren(const Node& node) const
{
    const auto& retained = analysis_->dominators.retained;
    std::vector<Child> children;
    for (auto child : analysis_->dominatorChildren().of(node.object))
        children.push_back({ child, analysis::kNoEdgeLabel, false });
    std::stable_sort(children.begin(), children.end(),
        [&retained](const Child& x, const Child& y) { return retained[x.object] > retained[y.object]; });
    return children;
}

QModelIndex DominatorTreeModel::reveal(analysis::ObjectId object)
{
    if (!analysis_ || object == analysis::kNoObject || !analysis_->dominators.isReachable(object))
        return {};
    std::vector<analysis::ObjectId> chain; // object, its idom, ..., a root
    for (auto o = object; o != analysis::kVirtualRoot; o = analysis_->dominators.idom[o])
        chain.push_back(o);
    int n = 0;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        n = revealChild(n, *it);
        if (n < 0)
            return {};
    }
    return indexOfNode(n);
}

} // namespace gcscope::ui
