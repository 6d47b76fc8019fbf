// What the window shows when no recording is open: attach to a running process (the process
// list), launch a script, open a recording (dialog, recent files, or drop a file on the window),
// or run the bundled leaking demo.
#pragma once

#include <QWidget>

class QListWidget;
class QPushButton;

namespace gcscope::ui {

class OutputFileField;
class ProcessPicker;
class RecentFiles;

class StartPage : public QWidget {
    Q_OBJECT
public:
    StartPage(RecentFiles* recent, QWidget* parent = nullptr);

    ProcessPicker* picker() const { return picker_; }
    QString outputPath() const; // "Record into" for an attach from this page; empty: default

Q_SIGNALS:
    void attachRequested(qint64 pid);
    void launchRequested();
    void openRequested(); // the file dialog
    void openFileRequested(const QString& path);
    void demoRequested();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void fillRecent();

    RecentFiles* recent_;
    ProcessPicker* picker_;
    OutputFileField* output_;
    QPushButton* attach_;
    QListWidget* recentList_;
};

} // namespace gcscope::ui
