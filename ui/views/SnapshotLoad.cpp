#include "views/SnapshotLoad.h"

#include "views/BackgroundJob.h"
#include "views/ErrorDialog.h"
#include "views/SnapshotCache.h"

#include <QCoreApplication>
#include <QWidget>

namespace gcscope::ui {

void loadSnapshotInto(QWidget* view, BackgroundJob* job, const QString& path, std::optional<qint64> wanted,
    std::function<void(std::shared_ptr<const SnapshotAnalysis>)> apply, std::function<void(const QString&)> failed,
    SnapshotParts parts)
{
    if (path.isEmpty()) {
        job->cancel();
        apply(nullptr);
        return;
    }
    const auto tr = [](const char* text) { return QCoreApplication::translate("SnapshotLoad", text); };
    // A tab not shown (the others load when a file opens, as the one shown does).
    const bool behind = !view->isVisibleTo(view->window());
    job->start<std::shared_ptr<const SnapshotAnalysis>>(
        tr("Loading the snapshot…"),
        [path, wanted, parts, behind, tr](const JobControl& control) -> std::shared_ptr<const SnapshotAnalysis> {
            if (!wanted && SnapshotCache::snapshotsIn(path).empty())
                return nullptr;
            auto analysis = SnapshotCache::instance().analysis(path, wanted, control);
            if (analysis && (parts.unreachable || parts.types || parts.cycles)) {
                control.throwIfCancelled();
                control.progress(0, 0,
                    parts.cycles      ? tr("Finding the reference cycles…")
                        : parts.types ? tr("Summing the types…")
                                      : tr("Finding the garbage…"));
                workOutParts(*analysis, parts, behind);
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
