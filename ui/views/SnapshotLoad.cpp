#include "views/SnapshotLoad.h"

#include "views/BackgroundJob.h"
#include "views/ErrorDialog.h"
#include "views/SnapshotCache.h"

#include <QCoreApplication>

namespace gcscope::ui {

void loadSnapshotInto(QWidget* view, BackgroundJob* job, const QString& path, std::optional<qint64> wanted,
    std::function<void(std::shared_ptr<const SnapshotAnalysis>)> apply, std::function<void(const QString&)> failed)
{
    if (path.isEmpty()) {
        job->cancel();
        apply(nullptr);
        return;
    }
    const auto tr = [](const char* text) { return QCoreApplication::translate("SnapshotLoad", text); };
    job->start<std::shared_ptr<const SnapshotAnalysis>>(
        tr("Loading the snapshot…"),
        [path, wanted](const JobControl& control) -> std::shared_ptr<const SnapshotAnalysis> {
            if (!wanted && SnapshotCache::snapshotsIn(path).empty())
                return nullptr;
            return SnapshotCache::instance().analysis(path, wanted, control);
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
