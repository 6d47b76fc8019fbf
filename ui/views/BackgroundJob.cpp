#include "views/BackgroundJob.h"

#include "views/IdleMemoryReturn.h"

#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace gcscope::ui {

BackgroundJob::BackgroundJob(QObject* parent)
    : QObject(parent)
{
}

BackgroundJob::~BackgroundJob()
{
    // Work still running finds itself cancelled at its next check; its result goes nowhere.
    if (state_)
        state_->cancelAndDetach();
    IdleMemoryReturn::noteActivity(); // what the view held is freed after this
}

QThreadPool* BackgroundJob::pool()
{
    // Jobs waiting for another view's load of the same snapshot sleep in a thread: allow a few.
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool();
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        p->setExpiryTimeout(30'000);
        return p;
    }();
    return pool;
}

std::shared_ptr<const JobControl> BackgroundJob::begin(const QString& title)
{
    if (state_)
        state_->cancelAndDetach();
    ++generation_;
    state_ = std::make_shared<State>(this, generation_);
    running_ = true;
    Q_EMIT started(title);
    return state_;
}

void BackgroundJob::finish()
{
    running_ = false;
    state_.reset();
    IdleMemoryReturn::noteActivity();
    Q_EMIT stopped();
}

void BackgroundJob::cancel()
{
    if (!running_)
        return;
    state_->cancelAndDetach();
    ++generation_;
    finish();
}

void BackgroundJob::State::cancelAndDetach()
{
    cancelled_.store(true, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    job_ = nullptr;
}

void BackgroundJob::State::progress(int value, int maximum, const QString& text) const
{
    std::lock_guard lock(mutex_);
    if (!job_)
        return;
    // Posting is thread-safe while the job exists (its destructor waits for the lock in
    // cancelAndDetach); a queued call to an object destroyed later is discarded by Qt.
    QMetaObject::invokeMethod(
        job_,
        [job = job_, generation = generation_, value, maximum, text] {
            if (job->generation_ == generation && job->running_)
                Q_EMIT job->progressed(value, maximum, text);
        },
        Qt::QueuedConnection);
}

} // namespace gcscope::ui
