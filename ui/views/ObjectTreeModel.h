// A tree of objects whose children are computed on demand and arrive in pages: the reference trees
// (referents, referrers) and the dominator tree of the inspector. Heap graphs have cycles and
// million-entry lists, so nothing is expanded before the view asks (canFetchMore/fetchMore).
#pragma once

#include "analysis/HeapGraph.h"
#include "views/ObjectCells.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace gcscope::ui {

struct SnapshotAnalysis;

class ObjectTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    static constexpr int kPage = 500;

    // What a column shows: the edge that leads to the row, one of the object fields, or the row's
    // retained size as a share of everything the roots keep alive.
    enum class ColumnKind { Edge, Field, RetainedShare };
    struct Column {
        ColumnKind kind;
        ObjectField field = ObjectField::Type;
    };

    ObjectTreeModel(std::vector<Column> columns, QObject* parent = nullptr);

    const SnapshotAnalysis* analysis() const { return analysis_.get(); }
    analysis::ObjectId rootObject() const { return nodes_.empty() ? analysis::kNoObject : nodes_.front().object; }
    analysis::ObjectId objectAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    struct Child {
        analysis::ObjectId object;
        std::uint32_t edgeLabel = analysis::kNoEdgeLabel; // how the parent row holds it (or it the parent)
        bool highlighted = false;
    };
    struct Node {
        analysis::ObjectId object;
        std::uint32_t edgeLabel;
        bool highlighted;
        int parent; // node index; -1 for the invisible root
        int row; // within the parent
        int depth; // 0 for the invisible root
        bool listed = false; // `pending` holds every child
        std::vector<Child> pending; // the children in display order, once listed
        std::vector<int> children; // node indices of the children fetched so far
    };

    // Starts over with `object` as the invisible root (a model reset) and fetches its first page.
    void resetRoot(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object);
    void clearRoot();
    // Node index of the child of `node` for `object` (fetching pages up to it), or -1.
    int revealChild(int node, analysis::ObjectId object);
    QModelIndex indexOfNode(int node, int column = 0) const;
    const Node& node(int index) const { return nodes_[static_cast<std::size_t>(index)]; }

    virtual std::size_t childCount(analysis::ObjectId object) const = 0; // cheap: for hasChildren
    virtual std::vector<Child> listChildren(const Node& node) const = 0; // in display order
    virtual QString edgeText(const Node& node) const;
    virtual QString edgeHeader() const { return tr("Reference"); }

    std::shared_ptr<const SnapshotAnalysis> analysis_;

private:
    int nodeOf(const QModelIndex& index) const;
    void fetchChildren(int node);
    bool deferIfNotifying(const QModelIndex& parent);

    int notifying_ = 0; // > 0 while this model announces a change (see deferIfNotifying)
    std::vector<Column> columns_;
    std::vector<Node> nodes_; // [0]: the invisible root
    double retainedTotal_ = 0; // what the roots keep alive, for RetainedShare
};

} // namespace gcscope::ui
