// Snapshots: the heap snapshots of the open file, and a comparison between any two of them (by
// default the first against the last, like `gcscope diff`), sortable and filterable. Choosing a
// snapshot makes it the document's current one (context->setSnapshots), which the inspector and
// the cycles view show; double-clicking a type asks the inspector for its instances.
#pragma once

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTreeView;

namespace gcscope::storage {
struct SnapshotInfo;
}

namespace gcscope::ui {

class BackgroundJob;
class ComparisonFilterProxy;
class DocumentContext;
class SnapshotComparisonModel;
class SnapshotListModel;
struct SnapshotComparison;

class SnapshotsView : public QWidget {
    Q_OBJECT
public:
    explicit SnapshotsView(DocumentContext* context, QWidget* parent = nullptr);
    ~SnapshotsView() override;

    SnapshotListModel* listModel() const { return list_; }
    SnapshotComparisonModel* comparisonModel() const { return comparison_; }
    ComparisonFilterProxy* comparisonProxy() const { return comparisonProxy_; }
    QTreeView* listView() const { return listView_; }
    QTreeView* comparisonView() const { return comparisonView_; }
    QLineEdit* filter() const { return filter_; }
    QCheckBox* showUnchanged() const { return showUnchanged_; }
    bool isLoading() const;
    // While hidden, the view compares snapshots of at most this many objects together at once; bigger
    // ones wait until it is shown (two 10M-object graphs are gigabytes and seconds that the view on
    // screen, the Leaks view, would wait for). For tests.
    static void setHiddenCompareLimit(std::uint64_t objects);
    bool comparisonWaitsToBeShown() const { return waitsToBeShown_; }

public Q_SLOTS:
    void reload(); // the list, then the comparison

Q_SIGNALS:
    void listLoaded();
    void comparisonLoaded();

private:
    void applyList(std::vector<storage::SnapshotInfo> snapshots);
    void fillCombos();
    void syncFromContext(); // list selection and combos follow the document's snapshots
    void compare();
    void chooseFromUi(std::optional<std::int64_t> to, std::optional<std::int64_t> from);
    void inspect(const QModelIndex& proxyIndex);
    void showStatus(const QString& text = {});
    void showEvent(QShowEvent* event) override;

    DocumentContext* context_;
    BackgroundJob* listJob_;
    BackgroundJob* compareJob_;
    SnapshotListModel* list_;
    QSortFilterProxyModel* listProxy_;
    SnapshotComparisonModel* comparison_;
    ComparisonFilterProxy* comparisonProxy_;
    QTreeView* listView_;
    QTreeView* comparisonView_;
    QComboBox* toCombo_;
    QComboBox* fromCombo_;
    QLineEdit* filter_;
    QCheckBox* showUnchanged_;
    QLabel* status_;
    bool waitsToBeShown_ = false; // a comparison too big to make while hidden (setHiddenCompareLimit)
    QSplitter* splitter_;
    bool syncing_ = false; // set while the view itself updates its widgets from the context
    using Pair = std::pair<std::int64_t, std::optional<std::int64_t>>; // (to, from)
    std::optional<Pair> requested_; // the comparison under way
    bool followNewest_ = true; // until the user picks a snapshot, new snapshots become current
};

} // namespace gcscope::ui
