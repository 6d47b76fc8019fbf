// The Leaks view's data: the leak report of one session, built by report::buildReport exactly as
// `gcscope report` and File → Export Leak Report build it, off the GUI thread and then immutable.
// While a recorder writes the file, the report is read inside one read transaction (SQLite WAL),
// so it sees each census and snapshot whole or not at all, and it is rebuilt only when the evidence
// it rests on (censuses, snapshots, the session's end) changed.
#pragma once

#include "report/LeakReport.h"
#include "report/ReportWriter.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace gcscope::ui {

class JobControl;

// What a report rests on: a new census or snapshot, or the session ending, makes a new report.
struct LeakEvidence {
    std::int64_t sessionId = 0;
    std::int64_t censuses = 0;
    std::int64_t snapshots = 0; // the session's own, or else those of its PID taken on their own
    std::int64_t lastSnapshotId = 0;
    bool ended = false;
    bool operator==(const LeakEvidence&) const = default;
};

struct LoadedLeakReport {
    std::optional<LeakEvidence> evidence; // unset: the file holds no recording sessions
    std::shared_ptr<const report::LeakReport> report; // null without a session, or when the evidence was unchanged
    std::int64_t buildMs = 0; // how long building took, to space out live rebuilds
};

// The report of session `sessionId` (default: the newest) of the file at `path` (`live`: being
// recorded now). When the evidence equals `known`, nothing is built (report stays null). Throws
// StorageError or std::runtime_error with a one-line message naming the file.
// Its snapshots come from SnapshotCache (shareCachedSnapshots), shared with the other views;
// `control` cancels the report while it waits for them or makes them.
LoadedLeakReport loadLeakReport(const QString& path, std::optional<std::int64_t> sessionId, const JobControl& control,
    const std::optional<LeakEvidence>& known = {}, bool live = false);

// Lends a report on the file at `path` what the views hold in SnapshotCache: the last snapshot's
// analysis (report::ReportOptions::analysedSnapshot) and the earlier snapshots' graphs
// (loadedSnapshot), each made there, for the views too, when none has it yet. So a big heap is not
// loaded or analysed twice, and a graph another view is loading is waited for, not loaded beside
// it. `control` must outlive the report.
void shareCachedSnapshots(report::ReportOptions& options, const QString& path, const JobControl& control);

} // namespace gcscope::ui
