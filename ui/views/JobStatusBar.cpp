#include "views/JobStatusBar.h"

#include "views/BackgroundJob.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QShortcut>
#include <QToolButton>

namespace gcscope::ui {

JobStatusBar::JobStatusBar(QWidget* parent)
    : QWidget(parent)
    , text_(new QLabel(this))
    , bar_(new QProgressBar(this))
    , cancel_(new QToolButton(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(text_, 1);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    bar_->setTextVisible(false);
    bar_->setMaximumWidth(fontMetrics().averageCharWidth() * 30);
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop loading (Esc)"));
    connect(cancel_, &QToolButton::clicked, this, [this] {
        for (auto* job : jobs_)
            job->cancel();
    });
    // On the view, not on this strip: Esc works wherever the focus is in the view.
    if (parent) {
        auto* parentEscape = new QShortcut(QKeySequence(Qt::Key_Escape), parent, [this] {
            if (isVisible())
                cancel_->click();
        });
        parentEscape->setContext(Qt::WidgetWithChildrenShortcut);
    }
    setVisible(false);
}

void JobStatusBar::track(BackgroundJob* job)
{
    jobs_.append(job);
    connect(job, &BackgroundJob::started, this, [this](const QString& title) {
        text_->setText(title);
        bar_->setRange(0, 0);
        refresh();
    });
    connect(job, &BackgroundJob::progressed, this, [this](int value, int maximum, const QString& text) {
        if (!text.isEmpty())
            text_->setText(text);
        bar_->setRange(0, maximum);
        bar_->setValue(value);
    });
    connect(job, &BackgroundJob::stopped, this, &JobStatusBar::refresh);
    connect(job, &QObject::destroyed, this, [this, job] { jobs_.removeAll(job); });
}

void JobStatusBar::refresh()
{
    bool running = false;
    for (auto* job : jobs_)
        running = running || job->isRunning();
    setVisible(running);
}

} // namespace gcscope::ui
