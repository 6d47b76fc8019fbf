// Loaded and analysed snapshots, shared by every view: the inspector and the cycles view need the
// same analysis, the comparison the same graphs, and a 1M-object snapshot takes about a second to
// load. Called from worker threads; each load opens its own read-only storage::Database.
//
// Entries are keyed by file, snapshot id and the snapshot's time (so a file replaced on disk is not
// confused with the old one). A value lives while anyone holds it; the cache itself keeps the
// most recent few. Jobs asking for the same value at once share one computation: it goes on while
// any of them still wants it (a view that reloads cancels its first job, but the Leaks view may be
// waiting for the same analysis) and stops once every one of them was cancelled. Work begun ahead
// of need (SnapshotHeadStart) counts only until a view's job joins it. A job that waits can be
// cancelled while it waits.
#pragma once

#include "views/SnapshotAnalysis.h"

#include <QString>

#include <gcscope/storage/Records.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace gcscope::ui {

class JobControl;

class SnapshotCache {
public:
    static SnapshotCache& instance();

    // The snapshots of the file, by id (empty for a file without any). Throws StorageError.
    static std::vector<storage::SnapshotInfo> snapshotsIn(const QString& path);

    // Snapshot `id` of the file, or its newest when id is unset. Throws StorageError, or
    // std::runtime_error when the file holds no such snapshot; JobCancelled when cancelled.
    std::shared_ptr<const LoadedSnapshot> graph(
        const QString& path, std::optional<std::int64_t> id, const JobControl& control);
    std::shared_ptr<const SnapshotAnalysis> analysis(
        const QString& path, std::optional<std::int64_t> id, const JobControl& control);

    void clear();

    // How many times this cache has begun to load a graph or compute an analysis, finished or not.
    std::uint64_t made() const { return made_.load(); }

private:
    class SharedWork;
    struct Key {
        std::string path;
        std::int64_t id;
        std::int64_t takenNs;
        auto operator<=>(const Key&) const = default;
    };
    template <class T> struct Slot {
        std::weak_ptr<const T> value;
        std::shared_ptr<SharedWork> work; // the computation under way, which later askers join
    };
    template <class T, class Make>
    std::shared_ptr<const T> getOrMake(
        std::map<Key, Slot<T>>& table, const Key& key, const JobControl& control, Make make);
    void keep(std::shared_ptr<const void> value);

    std::mutex mutex_;
    std::map<Key, Slot<LoadedSnapshot>> graphs_;
    std::map<Key, Slot<SnapshotAnalysis>> analyses_;
    std::deque<std::shared_ptr<const void>> recent_;
    std::atomic<std::uint64_t> made_ { 0 };
};

} // namespace gcscope::ui
