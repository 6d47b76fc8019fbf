// Leak reports: build one from a recording, render it as JSON, Markdown or one self-contained
// HTML file. The CLI's `gcscope report` and the GUI's File > Export leak report both use this.
//
//   auto db = storage::Database::openForReading("app.db");
//   auto report = report::buildReport(db, {});          // may take seconds: it analyses snapshots
//   report::writeReport(report, report::ReportFormat::Html, "leaks.html");
//
// buildReport reads only; it throws std::runtime_error (or storage::StorageError) with a one-line
// message naming the file. The renderers never throw on a report buildReport made.
// docs/report.md describes the rules and the JSON contract.
#pragma once

#include "report/GcAdvice.h"
#include "report/LeakReport.h"
#include "report/SnapshotEvidence.h"
#include "report/Suspects.h"
#include "report/Trend.h"

#include <gcscope/storage/KeptGarbage.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gcscope::storage {
class Database;
}

namespace gcscope::report {

// A snapshot's graph and the analyses the report needs on it, as a caller that already holds them
// lends them (gcscope-gui's views): `owner` keeps the rest alive while the report is built.
struct AnalysedSnapshot {
    std::shared_ptr<const void> owner;
    const analysis::HeapGraph* graph = nullptr;
    const analysis::RootSet* roots = nullptr; // findRoots(*graph)
    const analysis::Referrers* referrers = nullptr; // buildReferrers(*graph)
    const analysis::DominatorTree* dominators = nullptr; // computeDominators(*graph, *roots)
    const analysis::RetentionPathFinder* paths = nullptr; // over the three above
};

struct ReportOptions {
    std::optional<std::int64_t> sessionId; // default: the file's last session
    bool live = false; // the session is being recorded as the report is built (the GUI's live view)
    TrendCriteria trend; // for the per-type series and RSS
    SuspectCriteria suspects;
    AdviceCriteria advice;
    std::uint64_t minRssGrowth = 8u << 20; // before RSS growth is worth a word
    std::size_t maxGrowthRows = 25; // types listed under "growth" (suspects and companions always are)
    std::size_t maxGarbageSnapshots = 8; // snapshots analysed for cyclic garbage (spread, the last included)
    std::size_t maxEvidenceSnapshots = 4; // snapshots compared object by object (spread, first and last included)
    EvidenceCriteria evidence;
    std::size_t maxPausePoints = 2000;
    std::size_t maxChartPoints = 400;
    // When set, asked for the last snapshot of the report (by its id) before the report loads it:
    // what it returns is used instead of loading and analysing that snapshot again. It may throw
    // (a cancelled job): buildReport lets that through.
    std::function<std::optional<AnalysedSnapshot>(std::int64_t snapshotId)> analysedSnapshot;
    // When set, asked for each earlier snapshot the report reads (by its id) before the report loads
    // it: a caller that holds it already, or that other work will want too, shares one copy. Null
    // means the report loads it. It may throw, like analysedSnapshot.
    std::function<std::shared_ptr<const analysis::HeapGraph>(std::int64_t snapshotId)> loadedSnapshot;
    // The report reads the last snapshot's dominator tree, and the earlier snapshots' garbage
    // summaries, from the file when the file keeps them. When set, a tree or a summary it had to work
    // out is kept in the file (snapshot/kept_dominators.h, storage/KeptGarbage.h) before it returns:
    // only for a caller that holds no transaction on the file (the CLI).
    bool keepAnalyses = false;
    // When set, told the garbage summaries the report worked out because the file did not keep them
    // (encoded, as storage::keepGarbage takes them), once it is built: a caller that cannot let the
    // report keep them (gcscope-gui reads inside a transaction) keeps them afterwards.
    std::function<void(std::span<const storage::GarbageToKeep> summaries)> garbageWorkedOut;
};

LeakReport buildReport(const storage::Database& db, const ReportOptions& options = {});

enum class ReportFormat { Html, Json, Markdown };
// "html", "json", "md" or "markdown"; nullopt for anything else.
std::optional<ReportFormat> parseReportFormat(std::string_view name);
const char* fileExtension(ReportFormat format); // "html", "json", "md"

std::string renderJson(const LeakReport& report);
std::string renderMarkdown(const LeakReport& report);
std::string renderHtml(const LeakReport& report);
std::string render(const LeakReport& report, ReportFormat format);

// Renders and writes the file whole (a temporary file renamed into place). Throws
// std::runtime_error "PATH: cannot write (reason)".
void writeReport(const LeakReport& report, ReportFormat format, const std::filesystem::path& path);

} // namespace gcscope::report
