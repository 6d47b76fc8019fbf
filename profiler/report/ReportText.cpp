#include "report/ReportText.h"

#include "report/Format.h"

#include <fmt/core.h>

namespace gcscope::report {

std::string commandLine(const TargetInfo& t)
{
    std::string out;
    for (const auto& a : t.argv)
        out += (out.empty() ? "" : " ") + a;
    return out.empty() ? "PID " + std::to_string(t.pid) : out;
}

std::string headline(const LeakReport& r)
{
    if (r.verdict.kind == "undecided")
        return "Cannot decide yet: " + r.verdict.reason + "; " + r.verdict.advice;
    if (r.suspects.empty())
        return r.memory.untrackedGrowth ? "No leak suspects among Python objects, but memory grows outside them"
                                        : "No leak suspects";
    return fmt::format("{} leak suspect{}", r.suspects.size(), r.suspects.size() == 1 ? "" : "s");
}

std::string trendSummary(const Trend& t)
{
    return fmt::format(
        "Kendall τ {:.2f}, Mann-Kendall p {:.2g}, R² {:.2f} over {} points", t.tau, t.pValue, t.r2, t.points);
}

std::string evidenceSummary(const Suspect& s)
{
    std::string out;
    if (s.evidence != "snapshots")
        out = "trend: " + trendSummary(s.trend);
    if (s.snapshotEvidence) {
        const auto& e = *s.snapshotEvidence;
        const double window
            = e.timesNs.size() >= 2 ? static_cast<double>(e.timesNs.back() - e.timesNs.front()) / 1e9 : 0.0;
        out += fmt::format("{}{} snapshots over {:.0f} s ({} evidence): {} new", out.empty() ? "" : "; ", e.snapshots,
            window, e.confidence, formatCount(static_cast<std::int64_t>(e.newItems)));
        if (e.snapshots >= 3)
            out += fmt::format(
                ", {} of them outlived a further interval", formatCount(static_cast<std::int64_t>(e.kept)));
        if (!e.ownerReferences.empty())
            out += fmt::format("; the owner went from {} to {} references",
                formatCount(static_cast<std::int64_t>(e.ownerReferences.front())),
                formatCount(static_cast<std::int64_t>(e.ownerReferences.back())));
    }
    return out;
}

std::string walkedByText(const SnapshotTaken& s)
{
    if (s.byChild)
        return "a copy-on-write child (costing " + formatBytes(static_cast<std::int64_t>(s.childMemory)) + ")";
    return s.note.empty() ? std::string("the target") : "the target (" + s.note + ")";
}

const char* sizeAddedLabel(const Suspect& s)
{
    return s.evidence == "snapshots" ? "Retained by the new ones" : "Size added (shallow)";
}

std::string shapeText(const CycleGroup& g)
{
    std::string out;
    for (std::size_t i = 0; i < g.types.size() && i < 5; ++i)
        out += (i ? " + " : "") + fmt::format("{} {}", g.types[i].second, g.types[i].first);
    if (g.types.size() > 5)
        out += " + ...";
    return out;
}

std::string companionsText(const std::vector<Companion>& companions)
{
    std::string out;
    for (const auto& c : companions)
        out += (out.empty() ? "" : ", ")
            + fmt::format("{} ({}, {})", c.type, c.relation, formatSignedCount(c.countDelta));
    return out;
}

std::string ownerSummary(const Suspect& s)
{
    if (s.owner.empty())
        return "no single owner";
    if (s.sizeOnly)
        return s.owner + ", the largest " + s.type;
    return fmt::format("{}, holds {} of the new ones ({})", s.owner,
        s.ownerShare >= 0.995 ? std::string("all") : formatPercent(s.ownerShare),
        s.ownerMethod == "dominator"       ? "every path to them passes through it"
            : s.ownerMethod == "snapshots" ? "the container they accumulate in, snapshot after snapshot"
                                           : "their nearest container");
}

std::string gcSummaryLine(const GcSection& gc)
{
    const auto total = gc.collections[0] + gc.collections[1] + gc.collections[2];
    if (total == 0)
        return "No collection ran during the recording";
    const bool incremental = gc.model == "incremental";
    std::string line = fmt::format("{} collections ({}: {}/{}/{}), {} objects collected, {} uncollectable; pauses "
                                   "{} in total ({} of wall time), max {}, p50 {}, p99 {}",
        formatCount(total), incremental ? "young/increment/full" : "generation 0/1/2", formatCount(gc.collections[0]),
        formatCount(gc.collections[1]), formatCount(gc.collections[2]), formatCount(gc.collected),
        formatCount(gc.uncollectable), formatMs(gc.pause.totalMs), formatPercent(gc.wallTimeShare),
        formatMs(gc.pause.maxMs), formatMs(gc.pause.p50Ms), formatMs(gc.pause.p99Ms));
    if (gc.havePythonFigures) {
        double pythonTotal = 0;
        for (const auto& g : gc.generations)
            pythonTotal += g.pythonPause.totalMs;
        line += fmt::format(" (CPython's own timing: {} in total)", formatMs(pythonTotal));
    }
    if (incremental)
        line += "; the incremental collector of 3.14.0 to 3.14.4: a young generation, old spaces scanned in "
                "increments, full collections";
    return line;
}

std::string targetPythonText(const TargetInfo& t)
{
    if (t.agentForm.empty())
        return "Python " + t.python;
    return fmt::format(
        "Python {} ({} agent)", t.python, t.agentForm == "portable" ? "portable" : "exact " + t.agentForm);
}

std::string rssSummaryLine(const MemorySection& m)
{
    if (!m.haveRss)
        return {};
    return fmt::format("Resident memory {} → {} ({}, {}/min, {})", formatBytes(static_cast<std::int64_t>(m.rssFirst)),
        formatBytes(static_cast<std::int64_t>(m.rssLast)), formatSignedBytes(m.rssDelta),
        formatSignedBytes(static_cast<std::int64_t>(m.rssPerMinute)),
        m.rssTrend.growing ? "growing steadily" : "no steady growth");
}

std::vector<std::string> pathLines(const std::vector<PathStep>& steps)
{
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& s = steps[i];
        const std::string& shown = s.label.empty() ? s.name : s.label;
        std::string object = s.type + (shown.empty() ? "" : " " + shown);
        if (i == 0) {
            lines.push_back(object + (s.root ? "   (root)" : ""));
            continue;
        }
        const auto& from = steps[i - 1];
        const bool namespaceDict = (i >= 2 && steps[i - 2].edge && *steps[i - 2].edge == "__dict__")
            || (i == 1 && from.name.ends_with(".__dict__"));
        const bool dictKey
            = (from.type == "dict" || from.type == "collections.OrderedDict" || from.type == "collections.defaultdict")
            && !namespaceDict;
        std::string via;
        if (!from.edge)
            via = from.type == "set" || from.type == "frozenset" ? "(member)" : "[?]";
        else if (from.edge->starts_with("["))
            via = *from.edge;
        else if (dictKey)
            via = "['" + *from.edge + "']";
        else
            via = "." + *from.edge;
        lines.push_back("  " + via + " → " + object);
    }
    return lines;
}

} // namespace gcscope::report
