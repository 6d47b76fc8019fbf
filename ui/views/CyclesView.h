// Cycles: the reference cycles of the document's current snapshot (newest when none is chosen),
// garbage and those with finalizers first, what the next full collection would free, and a drawing
// of the selected cycle. Double-clicking an object in the drawing asks the inspector for it.
#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTreeView;

namespace gcscope::ui {

class BackgroundJob;
class CycleGraphScene;
class CycleGraphView;
class CycleListModel;
class DocumentContext;
struct SnapshotAnalysis;

class CyclesView : public QWidget {
    Q_OBJECT
public:
    explicit CyclesView(DocumentContext* context, QWidget* parent = nullptr);
    ~CyclesView() override;

    CycleListModel* model() const { return model_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    QTreeView* table() const { return table_; }
    CycleGraphScene* scene() const { return scene_; }
    CycleGraphView* graphView() const { return graph_; }
    QLabel* summary() const { return summary_; }
    bool isLoading() const;

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& error); // the snapshot could not be loaded

protected:
    void changeEvent(QEvent* event) override;

private:
    void apply(std::shared_ptr<const SnapshotAnalysis> analysis);
    void drawSelected();
    void showSummary(const QString& text = {});

    DocumentContext* context_;
    BackgroundJob* job_;
    std::shared_ptr<const SnapshotAnalysis> analysis_;
    CycleListModel* model_;
    QSortFilterProxyModel* proxy_;
    QLabel* summary_;
    QLineEdit* filter_;
    QTreeView* table_;
    QLabel* caption_;
    CycleGraphScene* scene_;
    CycleGraphView* graph_;
    QSplitter* splitter_;
};

} // namespace gcscope::ui
