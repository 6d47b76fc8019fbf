// The object inspector for the document's current snapshot (newest when none is chosen): a type
// list (objects, shallow and retained bytes) → that type's instances (paged) → for the selected
// instance, its shortest retention paths (highlighted), and lazily expanded trees of its referrers,
// its referents and the dominator tree around it. Loads and analyses off the GUI thread through the
// shared SnapshotCache; follows inspectTypeRequested / inspectObjectRequested.
#pragma once

#include "analysis/HeapGraph.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace gcscope::ui {

class BackgroundJob;
class DocumentContext;
class DominatorTreeModel;
class InstanceListModel;
class ReferenceTreeModel;
class RetentionPathModel;
class TypeSummaryModel;
struct SnapshotAnalysis;

class InspectorView : public QWidget {
    Q_OBJECT
public:
    explicit InspectorView(DocumentContext* context, QWidget* parent = nullptr);
    ~InspectorView() override;

    // For tests and the main window.
    TypeSummaryModel* typeModel() const { return types_; }
    QSortFilterProxyModel* typeProxy() const { return typeProxy_; }
    InstanceListModel* instanceModel() const { return instances_; }
    RetentionPathModel* pathModel() const { return paths_; }
    ReferenceTreeModel* referrersModel() const { return referrers_; }
    ReferenceTreeModel* referentsModel() const { return referents_; }
    DominatorTreeModel* dominatorModel() const { return dominators_; }
    QTreeView* referrersView() const { return referrersView_; }
    QTreeView* dominatorView() const { return dominatorView_; }
    QTabWidget* tabs() const { return tabs_; }
    std::shared_ptr<const SnapshotAnalysis> analysis() const { return analysis_; }
    analysis::ObjectId currentObject() const { return current_; }
    bool isLoading() const;

    // Shows the type's instances (the type name as in the snapshot) / one object of the snapshot.
    void inspectType(const QString& type);
    void inspectObject(analysis::ObjectId object);

public Q_SLOTS:
    void reload();
    void back();
    void forward();

Q_SIGNALS:
    void loaded(); // an analysed snapshot is shown
    void loadFailed(const QString& error); // the snapshot could not be loaded
    void objectShown(analysis::ObjectId object);

private:
    void apply(std::shared_ptr<const SnapshotAnalysis> analysis);
    void applyPending();
    void typeSelected(const QModelIndex& proxyIndex);
    void showObject(analysis::ObjectId object, bool remember);
    void revealInLists(analysis::ObjectId object);
    void revealInTrees();
    void updateNavigation();
    void showSummary(const QString& text = {});

    DocumentContext* context_;
    BackgroundJob* job_;
    std::shared_ptr<const SnapshotAnalysis> analysis_;
    analysis::ObjectId current_ = analysis::kNoObject;
    std::vector<analysis::ObjectId> history_;
    std::size_t historyPos_ = 0;
    QString pendingType_;
    std::optional<quint64> pendingAddress_;
    bool navigating_ = false; // set while the view selects rows itself

    TypeSummaryModel* types_;
    QSortFilterProxyModel* typeProxy_;
    InstanceListModel* instances_;
    RetentionPathModel* paths_;
    ReferenceTreeModel* referrers_;
    ReferenceTreeModel* referents_;
    DominatorTreeModel* dominators_;

    QLabel* summary_;
    QToolButton* back_;
    QToolButton* forward_;
    QLineEdit* typeFilter_;
    QTreeView* typeView_;
    QLabel* instancesTitle_;
    QTreeView* instanceView_;
    QLabel* objectTitle_;
    QTreeView* pathView_;
    QTabWidget* tabs_;
    QTreeView* referrersView_;
    QTreeView* referentsView_;
    QTreeView* dominatorView_;
    QSplitter* mainSplitter_;
    QSplitter* leftSplitter_;
    QSplitter* rightSplitter_;
};

} // namespace gcscope::ui
