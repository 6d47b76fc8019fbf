// A head start on what every view of snapshots needs first: the file's newest heap snapshot, loaded
// and analysed on the views' pool as soon as the file is known, before any view asks. The views
// get it through SnapshotCache: they join the computation under way, or find it done.
//
// gcscope-gui begins it when a file is opened, beside the window's construction and the dashboard's
// load (both on the GUI thread): the snapshot's analysis, a second at 1M objects, no longer waits
// until the Leaks or Inspector tab is shown and its job starts.
//
// Asked: the command line names a view of snapshots (--tab leaks, inspector, cycles), so the work
// is wanted. Guess: a file was opened and the dashboard shows first; most people who open a file
// of snapshots look at them, but the analysis holds about 150 bytes an object while the views
// show it, so a guess is made only when that fits in half the memory the system has available: a
// glance at the dashboard of a 30M-object snapshot on a small machine must not cost gigabytes.
#pragma once

#include <QFuture>
#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace gcscope::ui {

class SnapshotHeadStart {
public:
    enum class Intent { Asked, Guess };

    // What the views hold of an analysed snapshot while they show it, per object, measured with
    // gcscope-gui's Leaks view on a 3.1M-object snapshot (425 MiB at its peak, Qt included).
    static constexpr std::uint64_t kBytesPerObject = 150;

    static SnapshotHeadStart& instance();
    ~SnapshotHeadStart();
    SnapshotHeadStart(const SnapshotHeadStart&) = delete;
    SnapshotHeadStart& operator=(const SnapshotHeadStart&) = delete;

    // Begins for `path` (absolute, as the views name it) unless a head start for it is under way;
    // one for another file is told to stop. Returns at once: the file is read on the pool, and a
    // file that cannot be read, or holds no snapshot, ends the head start without a word (the
    // views report it when they ask).
    void begin(const QString& path, Intent intent);
    // Tells the head start to stop at its next check and waits until it has: before the program
    // ends, and when the document is closed. The views' own loads are not stopped.
    void stop();
    // Waits until the head start under way, if any, has ended (tests).
    void waitUntilDone();

    // Whether a guess is worth its memory: the newest snapshot's objects against what the system
    // has available (util::availableMemoryBytes; nullopt: unknown, and then no guess).
    static bool worthGuessing(std::uint64_t objects, std::optional<std::uint64_t> availableBytes);

    // How many head starts have analysed a snapshot, or found it analysed (tests).
    std::uint64_t analysed() const;

private:
    SnapshotHeadStart();
    class Control;
    mutable std::mutex mutex_;
    QString path_;
    std::shared_ptr<Control> control_;
    QFuture<void> running_;
    std::uint64_t analysed_ = 0;
};

} // namespace gcscope::ui
