// The strip a view shows while its background work runs: what it does, how far it got, and a
// Cancel button (Esc). Hidden when the view is idle.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace gcscope::ui {

class BackgroundJob;

class JobStatusBar : public QWidget {
    Q_OBJECT
public:
    explicit JobStatusBar(QWidget* parent = nullptr);

    // Shows the progress of every job given here; Cancel cancels them all.
    void track(BackgroundJob* job);

private:
    void refresh();

    QLabel* text_;
    QProgressBar* bar_;
    QToolButton* cancel_;
    QList<BackgroundJob*> jobs_;
};

} // namespace gcscope::ui
