// The instances of one type in a snapshot: address, label, shallow and retained size, distance from
// the roots. A type may have a million instances: rows arrive in pages (canFetchMore/fetchMore) as
// the view scrolls, and sorting reorders the whole list, not only the rows shown.
#pragma once

#include "analysis/HeapGraph.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace gcscope::ui {

struct SnapshotAnalysis;

class InstanceListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        AddressColumn,
        LabelColumn,
        ShallowColumn,
        RetainedColumn,
        DistanceColumn,
        RefcountColumn,
        ColumnCount
    };
    static constexpr int kPage = 1000;

    explicit InstanceListModel(QObject* parent = nullptr);

    // The instances of `type` (an index into the graph's typeNames), largest retained first.
    void setType(std::shared_ptr<const SnapshotAnalysis> analysis, std::uint32_t type);
    void clear();
    std::size_t totalCount() const { return ids_.size(); }
    analysis::ObjectId objectAt(int row) const;
    // The row of the object, fetching pages up to it; -1 when it is not an instance of the type.
    int revealObject(analysis::ObjectId id);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    std::shared_ptr<const SnapshotAnalysis> analysis_;
    int notifying_ = 0; // > 0 while announcing a change: fetches then wait for the event loop
    quint64 generation_ = 0; // bumped by every reset, so a deferred fetch does not outlive its list
    std::vector<analysis::ObjectId> ids_; // the whole list in display order
    int fetched_ = 0;
};

} // namespace gcscope::ui
