#include "views/SnapshotCache.h"

#include "views/BackgroundJob.h"
#include "views/Formatting.h"

#include "snapshot/snapshot_store.h"

#include <QFile>

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <chrono>
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

template <class T, class Make>
std::shared_ptr<const T> SnapshotCache::getOrMake(
    std::map<Key, Slot<T>>& table, const Key& key, const JobControl& control, Make make)
{
    std::shared_ptr<std::timed_mutex> gate;
    {
        std::lock_guard lock(mutex_);
        auto& slot = table[key];
        if (auto hit = slot.value.lock())
            return hit;
        if (!slot.gate)
            slot.gate = std::make_shared<std::timed_mutex>();
        gate = slot.gate;
    }
    std::unique_lock computing(*gate, std::defer_lock);
    while (!computing.try_lock_for(std::chrono::milliseconds(50)))
        control.throwIfCancelled();
    {
        std::lock_guard lock(mutex_);
        if (auto hit = table[key].value.lock())
            return hit; // another job made it while we waited
    }
    std::shared_ptr<const T> made = make();
    std::lock_guard lock(mutex_);
    table[key].value = made;
    keep(made);
    return made;
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
    return getOrMake(graphs_, key, control, [&]() -> std::shared_ptr<const LoadedSnapshot> {
        control.progress(0, 0,
            QObject::tr("Loading snapshot %1 (%2 objects)…").arg(QString::number(info.id), formatCount(info.objects)));
        auto loaded = std::make_shared<LoadedSnapshot>();
        loaded->info = info;
        // A 10M-object snapshot takes seconds to read: Cancel stops it on the way, not after.
        const QString id = QString::number(info.id), objects = formatCount(info.objects);
        loaded->graph = snapshot::loadSnapshot(db, info.id, [&](std::uint64_t read, std::uint64_t total) {
            control.throwIfCancelled();
            constexpr int kSteps = 1000;
            const int step = total ? static_cast<int>(std::min<std::uint64_t>(read * kSteps / total, kSteps)) : 0;
            control.progress(step, kSteps,
                read < total ? QObject::tr("Loading snapshot %1: %2 of %3 objects…").arg(id, formatCount(read), objects)
                             : QObject::tr("Loading snapshot %1: indexing %2 objects…").arg(id, objects));
        });
        control.throwIfCancelled();
        return loaded;
    });
}

std::shared_ptr<const SnapshotAnalysis> SnapshotCache::analysis(
    const QString& path, std::optional<std::int64_t> id, const JobControl& control)
{
    auto loaded = graph(path, id, control);
    const Key key { nativePath(path), loaded->info.id, loaded->info.takenNs };
    return getOrMake(analyses_, key, control, [&] { return analyzeSnapshot(loaded, control); });
}

void SnapshotCache::clear()
{
    std::lock_guard lock(mutex_);
    recent_.clear();
    graphs_.clear();
    analyses_.clear();
}

} // namespace gcscope::ui
