// A head start on what a view of snapshots needs first: the file's newest heap snapshot, loaded and
// analysed on the views' pool before any view asks. The views get it through SnapshotCache: they
// join the computation under way, or find it done.
//
// gcscope-gui begins it when its command line names a file, first thing: the analysis then runs
// beside the window's construction and the file's opening on the GUI thread (a tenth of a second)
// instead of after them. It is no extra work: once a file is open, the Leaks view builds its
// report at once, from that analysis (unless the file's last session has no snapshot of its own,
// when the report has none to analyse). A file opened from the window is analysed as it opens.
#pragma once

#include <QFuture>
#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>

namespace gcscope::ui {

class SnapshotHeadStart {
public:
    static SnapshotHeadStart& instance();
    // Stops a head start still under way and waits for it (stop()): the program's views are gone
    // by then, so it ends at its next check.
    ~SnapshotHeadStart();
    SnapshotHeadStart(const SnapshotHeadStart&) = delete;
    SnapshotHeadStart& operator=(const SnapshotHeadStart&) = delete;

    // Begins for `path` (absolute, as the views name it) unless a head start for it is under way;
    // one for another file is told to stop. Returns at once: the file is read on the pool, and a
    // file that cannot be read, or holds no snapshot, ends the head start without a word (the
    // views say why when they ask; a view that joined the head start gets its error).
    void begin(const QString& path);
    // Tells the head start to stop at its next check and waits until it has. A view that joined its
    // computation keeps it going until the view has what it asked for: then this waits for that.
    void stop();
    // Waits until the head start under way, if any, has ended (tests).
    void waitUntilDone();

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
