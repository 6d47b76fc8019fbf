// Why an object is alive: its shortest retention paths from a root (analysis::RetentionPathFinder),
// one top-level row per path (each through a different direct referrer, shortest first), its steps
// below from the root to the object, each with the reference that leads to it. The shortest path
// is highlighted.
#pragma once

#include "analysis/RetentionPaths.h"

#include <QAbstractItemModel>

#include <memory>

namespace gcscope::ui {

struct SnapshotAnalysis;

class RetentionPathModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { StepColumn, TypeColumn, AddressColumn, LabelColumn, ShallowColumn, RetainedColumn, ColumnCount };
    static constexpr std::size_t kMaxPaths = 3;

    explicit RetentionPathModel(QObject* parent = nullptr);

    void setObject(std::shared_ptr<const SnapshotAnalysis> analysis, analysis::ObjectId object);
    void clear();
    const analysis::RetentionPaths& paths() const { return paths_; }
    // How step `step` of path `path` is reached from the step before it: "root", "entries", "[3]".
    QString edgeInto(std::size_t path, std::size_t step) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // internalId: 0 for a path row, path + 1 for its steps.
    QVariant pathData(std::size_t path, int column, int role) const;
    QVariant stepData(std::size_t path, std::size_t step, int column, int role) const;

    std::shared_ptr<const SnapshotAnalysis> analysis_;
    analysis::RetentionPaths paths_;
};

} // namespace gcscope::ui
