#include "views/SnapshotLoad.h"

#include "views/BackgroundJob.h"
#include "views/ErrorDialog.h"
#include "views/SnapshotCache.h"

#include <QCoreApplication>

namespace gcscope::ui {

void loadSnapshotInto(QWidget* view, BackgroundJob* job, const QString& path, std::optional<qint64> wanted,
    std::function<void(std::shared_ptr<const SnapshotAnalysis>)> apply, std::function<void(const QString&)> failed,
    bool withCycles)
{
    if (path.isEmpty()) {
        job->cancel();
        apply(nullptr);
        return;
    }
    const auto tr = [](const char* text) { return QCoreApplication::translate("SnapshotLoad", text); };
    job->start<std::shared_ptr<const SnapshotAnalysis>>(
        tr("Loading the snapshot…"),
        [path, wanted, withCycles, tr](const JobControl& control) -> std::shared_ptr<const SnapshotAnalysis> {
            if (!wanted && SnapshotCache::snapshotsIn(path).empty())
                return nullptr;
            auto analysis = SnapshotCache::instance().analysis(path, wanted, control);
            if (withCycles) {
                control.progress(0, 0, tr("Finding the reference cycles…"));
                analysis->cycles();
                control.throwIfCancelled();
            }
            return analysis;
        },
        std::move(apply),
        [view, tr, failed = std::move(failed)](const QString& error) {
            failed(error);
            showErrorDialog(view, tr("Could not load the heap snapshot."), error,
                tr("The file may be damaged, not a gcscope recording, or still being written: try again (F5), "
                   "choose another snapshot, or open another file."));
        });
}

} // namespace gcscope::ui
