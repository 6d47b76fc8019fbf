// What an object refers to (referents) or what refers to it (referrers), as a tree that expands
// lazily: each row's children are that object's referents/referrers in turn. In the referrers tree
// the rows on the object's shortest retention path are highlighted and listed first, so following
// the bold rows walks back to a root.
#pragma once

#include "views/ObjectTreeModel.h"

namespace gcscope::ui {

class ReferenceTreeModel : public ObjectTreeModel {
    Q_OBJECT
public:
    enum class Direction { Referents, Referrers };
    enum Column { EdgeColumn, TypeColumn, AddressColumn, LabelColumn, ShallowColumn, RetainedColumn, ColumnCount };

    explicit ReferenceTreeModel(Direction direction, QObject* parent = nullptr);

    void setObject(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object);
    void clear() { clearRoot(); }
    Direction direction() const { return direction_; }
    // The highlighted row one level below `parent` (after fetching it), or an invalid index.
    QModelIndex highlightedChild(const QModelIndex& parent);

protected:
    std::size_t childCount(analysis::ObjectId object) const override;
    std::vector<Child> listChildren(const Node& node) const override;
    QString edgeHeader() const override;

private:
    Direction direction_;
    std::vector<analysis::ObjectId> path_; // the shortest retention path, root first (referrers only)
};

} // namespace gcscope::ui
