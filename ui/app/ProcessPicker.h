// The list of local Python processes with a filter box and a refresh button: the "attach" half of
// the start page and of the Attach dialog. Double-clicking an attachable process asks to attach.
#pragma once

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace gcscope::ui {

class ProcessListModel;

class ProcessPicker : public QWidget {
    Q_OBJECT
public:
    explicit ProcessPicker(QWidget* parent = nullptr);

    ProcessListModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    // The selected process if gcscope can attach to it.
    std::optional<qint64> selectedPid() const;
    void selectPid(qint64 pid);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void attachRequested(qint64 pid);
    void selectionChanged();

private:
    void updateCount();
    void updateDetails(); // the selected process's command line, or why gcscope cannot attach

    ProcessListModel* model_;
    QSortFilterProxyModel* proxy_;
    QLineEdit* filter_;
    QTableView* table_;
    QLabel* count_;
    QLabel* details_;
};

} // namespace gcscope::ui
