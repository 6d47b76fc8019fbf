#include "views/SnapshotCache.h"

#include "views/BackgroundJob.h"
#include "views/Formatting.h"

#include "snapshot/snapshot_store.h"

#include <QFile>

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <stdexcept>

namespace gcscope::ui {
namespace {

// Two analysed 1M-object snapshots and the graphs of a comparison stay in memory (~0.5 GiB).
constexpr std::size_t kKeepRecent = 4;

std::string nativePath(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}

storage::SnapshotInfo pick(const storage::Database& db, std::optional<std::int64_t> id)
{
    const auto snapshots = storage::Reader(db).snapshots();
    if (snapshots.empty())
        throw std::runtime_error(db.path() + ": holds no snapshots");
    if (!id)
        return snapshots.back();
    for (const auto& s : snapshots)
        if (s.id == *id)
            return s;
    throw std::runtime_error(db.path() + ": no snapshot " + std::to_string(*id));
}

} // namespace

SnapshotCache& SnapshotCache::instance()
{
    static SnapshotCache cache;
    return cache;
}

std::vector<storage::SnapshotInfo> SnapshotCache::snapshotsIn(const QString& path)
{
    const auto db = storage::Database::openForReading(nativePath(path));
    return storage::Reader(db).snapshots();
}

// One computation that several jobs want: the job that started it runs it with this as its
// control, so it stops only when every job that wants it was cancelled, and its progress reaches
// them all. The others wait for it to finish.
class SnapshotCache::SharedWork : public JobControl {
public:
    void join(const JobControl* job)
    {
        std::lock_guard lock(mutex_);
        wanting_.push_back(job);
        othersJoined_ = othersJoined_ || !job->yieldsToOtherJobs();
    }
    void leave(const JobControl* job)
    {
        std::lock_guard lock(mutex_);
        std::erase(wanting_, job);
    }
    // Once a job that does not yield has joined, work begun ahead of need no longer keeps it going:
    // the user's cancel of the view that asked stops it, head start or not.
    bool cancelled() const override
    {
        std::lock_guard lock(mutex_);
        return std::all_of(wanting_.begin(), wanting_.end(),
            [this](const JobControl* job) { return job->cancelled() || (othersJoined_ && job->yieldsToOtherJobs()); });
    }
    void progress(int value, int maximum, const QString& text) const override
    {
        std::lock_guard lock(mutex_);
        for (const JobControl* job : wanting_)
            job->progress(value, maximum, text);
    }
    void finish(std::shared_ptr<const void> value, std::exception_ptr error)
    {
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
            value_ = std::move(value);
            error_ = std::move(error);
        }
        done_.notify_all();
    }
    // Waits until the computation ends and returns what it made, or throws what it threw; throws
    // JobCancelled when `job` is cancelled first (having left).
    std::shared_ptr<const void> await(const JobControl* job)
    {
        std::unique_lock lock(mutex_);
        while (!done_.wait_for(lock, std::chrono::milliseconds(50), [this] { return finished_; }))
            if (job->cancelled()) {
                std::erase(wanting_, job);
                throw JobCancelled {};
            }
        std::erase(wanting_, job);
        if (error_)
            std::rethrow_exception(error_);
        return value_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable done_;
    std::vector<const JobControl*> wanting_;
    bool othersJoined_ = false; // a job that does not yield has wanted it
    bool finished_ = false;
    std::shared_ptr<const void> value_;
    std::exception_ptr error_;
};

template <class T, class Make>
std::shared_ptr<const T> SnapshotCache::getOrMake(
    std::map<Key, Slot<T>>& table, const Key& key, const JobControl& control, Make make)
{
    for (;;) {
        std::shared_ptr<SharedWork> work;
        bool mine = false;
        {
            std::lock_guard lock(mutex_);
            auto& slot = table[key];
            if (auto hit = slot.value.lock())
                return hit;
            if (!slot.work) {
                control.throwIfCancelled(); // a cancelled job gets what is made, and starts nothing
                slot.work = std::make_shared<SharedWork>();
                mine = true;
            }
            work = slot.work;
            work->join(&control);
        }
        if (!mine) {
            try {
                return std::static_pointer_cast<const T>(work->await(&control));
            } catch (const JobCancelled&) {
                control.throwIfCancelled();
                continue; // every job that wanted it was cancelled before this one joined: make it anew
            }
        }
        std::shared_ptr<const T> made;
        std::exception_ptr error;
        ++made_;
        try {
            made = make(static_cast<const JobControl&>(*work));
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            auto& slot = table[key];
            if (made) {
                slot.value = made;
                keep(made);
            }
            slot.work.reset();
        }
        work->leave(&control);
        work->finish(made, error);
        if (error)
            std::rethrow_exception(error);
        return made;
    }
}

void SnapshotCache::keep(std::shared_ptr<const void> value)
{
    recent_.push_back(std::move(value));
    while (recent_.size() > kKeepRecent)
        recent_.pop_front();
}

std::shared_ptr<const LoadedSnapshot> SnapshotCache::graph(
    const QString& path, std::optional<std::int64_t> id, const JobControl& control)
{
    auto db = storage::Database::openForReading(nativePath(path));
    const auto info = pick(db, id);
    const Key key { nativePath(path), info.id, info.takenNs };
    return getOrMake(graphs_, key, control, [&](const JobControl& shared) -> std::shared_ptr<const LoadedSnapshot> {
        shared.progress(0, 0,
            QObject::tr("Loading snapshot %1 (%2 objects)…").arg(QString::number(info.id), formatCount(info.objects)));
        auto loaded = std::make_shared<LoadedSnapshot>();
        loaded->path = nativePath(path);
        loaded->info = info;
        // A 10M-object snapshot takes seconds to read: Cancel stops it on the way, not after.
        const QString id = QString::number(info.id), objects = formatCount(info.objects);
        loaded->graph = snapshot::loadSnapshot(db, info.id, [&](std::uint64_t read, std::uint64_t total) {
            shared.throwIfCancelled();
            constexpr int kSteps = 1000;
            const int step = total ? static_cast<int>(std::min<std::uint64_t>(read * kSteps / total, kSteps)) : 0;
            shared.progress(step, kSteps,
                read < total ? QObject::tr("Loading snapshot %1: %2 of %3 objects…").arg(id, formatCount(read), objects)
                             : QObject::tr("Loading snapshot %1: indexing %2 objects…").arg(id, objects));
        });
        shared.throwIfCancelled();
        return loaded;
    });
}

std::shared_ptr<const SnapshotAnalysis> SnapshotCache::analysis(
    const QString& path, std::optional<std::int64_t> id, const JobControl& control)
{
    auto loaded = graph(path, id, control);
    const Key key { nativePath(path), loaded->info.id, loaded->info.takenNs };
    return getOrMake(
        analyses_, key, control, [&](const JobControl& shared) { return analyzeSnapshot(loaded, shared); });
}

void SnapshotCache::clear()
{
    std::lock_guard lock(mutex_);
    recent_.clear();
    graphs_.clear();
    analyses_.clear();
}

} // namespace gcscope::ui
