#include "views/SnapshotHeadStart.h"

#include "views/BackgroundJob.h"
#include "views/SnapshotCache.h"

#include "util/phase_trace.h"

#include <QtConcurrent>

#include <atomic>

namespace gcscope::ui {

// Stopped by stop() or by a head start for another file; says nothing of its progress (the views
// that join the computation report theirs), and once a view has joined, leaves the computation to
// it: a view's Cancel stops it.
class SnapshotHeadStart::Control : public JobControl {
public:
    bool cancelled() const override { return stopped.load(std::memory_order_relaxed); }
    void progress(int, int, const QString&) const override { }
    bool yieldsToOtherJobs() const override { return true; }
    std::atomic<bool> stopped { false };
};

SnapshotHeadStart& SnapshotHeadStart::instance()
{
    static SnapshotHeadStart headStart;
    return headStart;
}

SnapshotHeadStart::SnapshotHeadStart()
{
    // Made first, the cache is destroyed last: a head start still running when the program ends
    // is stopped (the destructor below) while the cache it writes into still exists.
    SnapshotCache::instance();
}

SnapshotHeadStart::~SnapshotHeadStart()
{
    stop();
}

void SnapshotHeadStart::begin(const QString& path)
{
    std::lock_guard lock(mutex_);
    if (control_ && path == path_ && !running_.isFinished())
        return;
    if (control_)
        control_->stopped = true; // another file's, or one that ended: not waited for
    path_ = path;
    control_ = std::make_shared<Control>();
    util::markPhase("snapshot head start begun");
    running_ = QtConcurrent::run(BackgroundJob::pool(), [this, path, control = control_] {
        try {
            control->throwIfCancelled();
            SnapshotCache::instance().analysis(path, std::nullopt, *control);
            std::lock_guard lock(mutex_);
            ++analysed_;
        } catch (...) { // cancelled, or a file the views will report on when they ask
        }
    });
}

void SnapshotHeadStart::stop()
{
    {
        std::lock_guard lock(mutex_);
        if (control_)
            control_->stopped = true;
    }
    waitUntilDone();
}

void SnapshotHeadStart::waitUntilDone()
{
    QFuture<void> running;
    {
        std::lock_guard lock(mutex_);
        running = running_;
    }
    running.waitForFinished();
}

std::uint64_t SnapshotHeadStart::analysed() const
{
    std::lock_guard lock(mutex_);
    return analysed_;
}

} // namespace gcscope::ui
