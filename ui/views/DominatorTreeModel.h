// The dominator tree with retained sizes: the children of the virtual root (the roots) at the top,
// each row's children the objects it alone keeps alive, largest retained first, expanded lazily.
#pragma once

#include "views/ObjectTreeModel.h"

namespace gcscope::ui {

class DominatorTreeModel : public ObjectTreeModel {
    Q_OBJECT
public:
    enum Column { TypeColumn, AddressColumn, LabelColumn, ShallowColumn, RetainedColumn, ShareColumn, ColumnCount };

    explicit DominatorTreeModel(QObject* parent = nullptr);

    void setAnalysis(std::shared_ptr<const SnapshotAnalysis> analysis);
    void clear() { clearRoot(); }
    // The row of `object`, fetching its ancestors' pages; invalid when no root reaches it (garbage).
    QModelIndex reveal(analysis::ObjectId object);

protected:
    std::size_t childCount(analysis::ObjectId object) const override;
    std::vector<Child> listChildren(const Node& node) const override;
};

} // namespace gcscope::ui
