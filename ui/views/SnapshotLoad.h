// Loading a heap snapshot's analysis into a view, the same way in every view that shows one.
#pragma once

#include "views/SnapshotAnalysis.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QWidget;

namespace gcscope::ui {

class BackgroundJob;

// Shows snapshot `wanted` of `path` (the newest when unset): the analysis comes from the shared
// SnapshotCache on `job`'s thread, and `apply` gets it on the GUI thread. A file without snapshots
// gives nullptr (an empty view, not an error). A failure calls `failed` with the reason and shows one dialog over
// `view` that says what to do. An empty `path` cancels the job and applies nullptr at once.
// `parts`: what of the analysis the view shows beyond what every view needs, worked out by the job
// too (workOutParts), behind the other views' work while `view` is not shown; a cancel does not stop
// them once begun.
void loadSnapshotInto(QWidget* view, BackgroundJob* job, const QString& path, std::optional<qint64> wanted,
    std::function<void(std::shared_ptr<const SnapshotAnalysis>)> apply, std::function<void(const QString&)> failed,
    SnapshotParts parts);

} // namespace gcscope::ui
