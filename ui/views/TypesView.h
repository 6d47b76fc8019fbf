// Types: per-type counts and sizes over the session's census series (storage::Reader::typeGrowth),
// with growth per minute and a sparkline per row; sortable and filterable; the selected type is
// charted below. Refreshes while live without losing sort, selection or scroll position.
#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTimer;
class QTreeView;

namespace gcscope::ui {

class BackgroundJob;
class DocumentContext;
class TypeGrowthModel;
class TypeSeriesChart;
struct TypeGrowthTable;

class TypesView : public QWidget {
    Q_OBJECT
public:
    explicit TypesView(DocumentContext* context, QWidget* parent = nullptr);
    ~TypesView() override;

    // For tests and the main window.
    TypeGrowthModel* model() const { return model_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    QTreeView* table() const { return table_; }
    TypeSeriesChart* chart() const { return chart_; }
    QLineEdit* filter() const { return filter_; }
    bool isLoading() const;
    QString selectedType() const;
    void selectType(const QString& type);

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void loaded(); // a table arrived and is shown
    void loadFailed(const QString& error); // the census series could not be read (not while live)

private:
    void apply(std::shared_ptr<const TypeGrowthTable> table);
    void scheduleRefresh();
    void updateChart();
    void showStatus();

    DocumentContext* context_;
    BackgroundJob* job_;
    TypeGrowthModel* model_;
    QSortFilterProxyModel* proxy_;
    QLineEdit* filter_;
    QLabel* status_;
    QTreeView* table_;
    TypeSeriesChart* chart_;
    QSplitter* splitter_;
    QTimer* refreshTimer_;
    bool reloadWhenDone_ = false;
};

} // namespace gcscope::ui
