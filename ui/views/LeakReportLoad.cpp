#include "views/LeakReportLoad.h"

#include "views/BackgroundJob.h"
#include "views/SnapshotCache.h"

#include "report/ReportWriter.h"
#include "util/phase_trace.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <QElapsedTimer>
#include <QFile>

#include <algorithm>

namespace gcscope::ui {
namespace {

// The snapshots buildReport uses for the session: its own, or else those of its PID taken on their
// own (gcscope snapshot next to a recording).
void countSnapshots(const storage::Reader& reader, const storage::SessionInfo& session, LeakEvidence& evidence)
{
    const auto all = reader.snapshots();
    const auto count = [&](auto belongs) {
        for (const auto& s : all)
            if (belongs(s)) {
                ++evidence.snapshots;
                evidence.lastSnapshotId = std::max(evidence.lastSnapshotId, s.id);
            }
    };
    count([&](const storage::SnapshotInfo& s) { return s.sessionId == session.id; });
    if (evidence.snapshots == 0)
        count([&](const storage::SnapshotInfo& s) { return !s.sessionId && s.pid == session.pid; });
}

} // namespace

void shareCachedSnapshots(report::ReportOptions& options, const QString& path, const JobControl& control)
{
    options.analysedSnapshot = [path, &control](std::int64_t snapshotId) -> std::optional<report::AnalysedSnapshot> {
        const auto a = SnapshotCache::instance().analysis(path, snapshotId, control);
        if (!a->paths)
            return std::nullopt;
        return report::AnalysedSnapshot { a, &a->graph, &a->roots, &a->referrers, &a->dominators, &*a->paths };
    };
    options.loadedSnapshot = [path, &control](std::int64_t snapshotId) {
        auto loaded = SnapshotCache::instance().graph(path, snapshotId, control);
        return std::shared_ptr<const analysis::HeapGraph>(loaded, &loaded->graph);
    };
    // Kept once the report is built, when its read transaction is over (the keeping waits for it).
    options.garbageWorkedOut
        = [path = QFile::encodeName(path).toStdString()](std::span<const storage::GarbageToKeep> summaries) {
              keepGarbageInBackground(path, { summaries.begin(), summaries.end() });
          };
}

LoadedLeakReport loadLeakReport(const QString& path, std::optional<std::int64_t> sessionId, const JobControl& control,
    const std::optional<LeakEvidence>& known, bool live)
{
    QElapsedTimer clock;
    clock.start();
    const auto db = storage::Database::openForReading(path.toStdString());
    // One read transaction for the evidence and the whole report: a recorder committing meanwhile
    // is seen entirely or not at all (WAL readers never block the writer).
    db.exec("BEGIN", "reading the leak report");
    const storage::Reader reader(db);
    const auto sessions = reader.sessions();
    LoadedLeakReport loaded;
    if (sessions.empty())
        return loaded;
    auto chosen = std::find_if(sessions.begin(), sessions.end(),
        [&](const storage::SessionInfo& s) { return sessionId && s.id == *sessionId; });
    if (chosen == sessions.end())
        chosen = std::prev(sessions.end());

    LeakEvidence evidence;
    evidence.sessionId = chosen->id;
    evidence.censuses = reader.censusCount(chosen->id);
    evidence.ended = chosen->endedNs.has_value();
    countSnapshots(reader, *chosen, evidence);
    loaded.evidence = evidence;
    if (known && *known == evidence)
        return loaded;

    report::ReportOptions options;
    options.sessionId = chosen->id;
    options.live = live;
    shareCachedSnapshots(options, path, control);
    util::markPhase("leak report: reading");
    loaded.report = std::make_shared<const report::LeakReport>(report::buildReport(db, options));
    util::markPhase("leak report built");
    db.exec("COMMIT", "reading the leak report");
    loaded.buildMs = clock.elapsed();
    return loaded;
}

} // namespace gcscope::ui
