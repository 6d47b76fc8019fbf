// Text pieces the Markdown and HTML writers share, so both say the same thing the same way.
#pragma once

#include "report/LeakReport.h"

#include <string>
#include <vector>

namespace gcscope::report {

std::string commandLine(const TargetInfo& target); // argv joined with spaces, or "PID n"
// "2 leak suspects" / "No leak suspects" / "Cannot decide yet: ...; record at least 9 s longer ..."
std::string headline(const LeakReport& report);
std::string trendSummary(const Trend& trend); // "Kendall τ 0.98, p 2e-05, R² 0.99 over 10 points"
// What named a suspect: its trend, its snapshot evidence ("3 snapshots over 8 s: 2,472 new, 1,236 of
// them outlived a further interval; the owner went from 2,856 to 5,328 references"), or both.
std::string evidenceSummary(const Suspect& suspect);
// "Size added (shallow)", or for a suspect only the snapshots named, "Retained by the new ones".
const char* sizeAddedLabel(const Suspect& suspect);
// "a copy-on-write child (costing 12.0 MiB)" or "the target (why)".
std::string walkedByText(const SnapshotTaken& snapshot);
std::string shapeText(const CycleGroup& group); // "17 __main__.TreeNode + 5 list"
std::string companionsText(const std::vector<Companion>& companions); // "tuple (wraps), dict (part of)"
std::string ownerSummary(const Suspect& suspect); // "__main__.AuditLog.entries (list), holds 100% (dominator)"
std::string gcSummaryLine(const GcSection& gc); // collections, pauses, share of wall time
std::string targetPythonText(const TargetInfo& t); // "Python 3.15.2 (exact py315 agent)"
std::string rssSummaryLine(const MemorySection& memory); // "" without RSS samples
// One line per step: the edge that leads to it, then the object ("  .entries → list").
std::vector<std::string> pathLines(const std::vector<PathStep>& steps);

} // namespace gcscope::report
