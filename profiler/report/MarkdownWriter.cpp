// renderMarkdown: the report for pasting into an issue tracker (GitHub-flavoured Markdown).
#include "report/ReportWriter.h"

#include "report/Format.h"
#include "report/ReportText.h"

#include <algorithm>
#include <fmt/core.h>
#include <vector>

namespace gcscope::report {

namespace {

// A code span; inside a table a pipe still ends the cell unless escaped.
std::string code(std::string_view text, bool inTable = false)
{
    std::string body;
    for (char c : text) {
        if (c == '\n' || c == '\r')
            c = ' ';
        if (c == '|' && inTable)
            body += '\\';
        body += c;
    }
    const bool hasTick = body.find('`') != std::string::npos;
    return hasTick ? "`` " + body + " ``" : "`" + body + "`";
}

// Running text with the given names as code spans and everything else escaped: "__main__.Request"
// in plain Markdown would turn into bold "main".
std::string withCode(std::string_view text, std::vector<std::string> names)
{
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    // Whole names only: "list" in "listing" stays text.
    const auto wordChar
        = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
    const auto startsName = [&](std::size_t i, const std::string& n) {
        return !n.empty() && text.substr(i, n.size()) == n && (i == 0 || !wordChar(text[i - 1]))
            && (i + n.size() == text.size() || !wordChar(text[i + n.size()]));
    };
    std::string out;
    std::size_t plainFrom = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto hit
            = std::find_if(names.begin(), names.end(), [&](const std::string& n) { return startsName(i, n); });
        if (hit == names.end()) {
            ++i;
            continue;
        }
        out += markdownEscape(text.substr(plainFrom, i - plainFrom)) + code(*hit);
        i += hit->size();
        plainFrom = i;
    }
    return out + markdownEscape(text.substr(plainFrom));
}

// Running text where every dotted name holding a dunder ("__main__.TreeNode.parent") becomes a
// code span and the rest is escaped.
std::string withDunderCode(std::string_view text)
{
    const auto isNameChar = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    };
    std::vector<std::string> names;
    for (std::size_t i = 0; i < text.size();) {
        if (!isNameChar(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && isNameChar(text[end]))
            ++end;
        std::string_view token = text.substr(i, end - i);
        while (!token.empty() && token.back() == '.')
            token.remove_suffix(1);
        if (token.find("__") != std::string_view::npos)
            names.emplace_back(token);
        i = end;
    }
    return withCode(text, names);
}

void line(std::string& out, std::string_view text = {})
{
    out.append(text);
    out += '\n';
}

void accumulationsSection(std::string& out, const LeakReport& r)
{
    if (r.accumulations.empty())
        return;
    line(out, "## Largest accumulation points");
    line(out);
    line(out,
        fmt::format("Where memory sits in snapshot {}: the collections that retain the most. Not leaks by themselves "
                    "(a large cache looks the same); the suspects above are what grew.",
            r.snapshotId.value_or(0)));
    line(out);
    line(out, "| Collection | References | Mostly | Retained | Share |");
    line(out, "|---|---:|---|---:|---:|");
    for (const auto& a : r.accumulations)
        line(out,
            fmt::format("| {} ({}) | {} | {} | {} | {} |", code(a.ownerExpression, true), markdownEscape(a.ownerType),
                formatCount(static_cast<std::int64_t>(a.items)), a.itemType.empty() ? "—" : code(a.itemType, true),
                formatBytes(static_cast<std::int64_t>(a.retainedSize)), formatPercent(a.share)));
    line(out);
}

void suspectsSection(std::string& out, const LeakReport& r)
{
    line(out, "## Leak suspects");
    line(out);
    if (r.suspects.empty()) {
        line(out,
            r.verdict.kind != "undecided" ? std::string(r.snapshots >= 2
                    ? "No type grew steadily, and no container kept accumulating new objects "
                      "from one heap snapshot to the next: nothing in this recording looks "
                      "like a leak of Python objects."
                    : "No type grew steadily: nothing in this recording looks like a leak "
                      "of Python objects.")
                                          : "Cannot decide yet: " + markdownEscape(r.verdict.reason)
                    + ". To decide: " + markdownEscape(r.verdict.advice) + ".");
        if (r.memory.untrackedGrowth)
            line(out, "\n**" + markdownEscape(r.memory.note) + "**");
        line(out);
        return;
    }
    int n = 0;
    for (const auto& s : r.suspects) {
        line(out, fmt::format("### {}. {}", ++n, code(s.type)));
        line(out);
        std::vector<std::string> names { s.type, s.ownerExpression };
        for (const auto& c : s.companions)
            names.push_back(c.type);
        line(out, "> " + withCode(s.why, names));
        line(out);
        line(out, "| | |");
        line(out, "|---|---|");
        if (!s.sizeOnly)
            line(out,
                fmt::format("| Objects added | {} ({}/min) |", formatSignedCount(s.countDelta),
                    formatNumber(s.countPerMinute)));
        line(out,
            fmt::format("| {} | {} ({}/min) |", sizeAddedLabel(s), formatSignedBytes(s.sizeDelta),
                formatSignedBytes(static_cast<std::int64_t>(s.sizePerMinute))));
        if (r.snapshotId)
            line(out,
                fmt::format("| Retained in snapshot {} | {} by {} instances |", *r.snapshotId,
                    formatBytes(static_cast<std::int64_t>(s.retainedSize)),
                    formatCount(static_cast<std::int64_t>(s.instances))));
        line(out,
            fmt::format("| Owner | {} |",
                s.owner.empty() ? std::string("no single owner found")
                                : code(s.ownerExpression, true) + " (" + markdownEscape(s.ownerType) + ")"
                        + (s.sizeOnly ? ""
                                      : ", holds "
                                    + (s.ownerShare >= 0.995 ? std::string("all") : formatPercent(s.ownerShare))
                                    + " of the new ones")));
        line(out, fmt::format("| Evidence | {} |", markdownEscape(evidenceSummary(s))));
        if (!s.companions.empty())
            line(out, fmt::format("| Grows with it | {} |", markdownEscape(companionsText(s.companions))));
        line(out);
        if (!s.retentionPath.empty()) {
            line(out, "Retention path (from a root):");
            line(out);
            line(out, "```");
            for (const auto& l : pathLines(s.retentionPath))
                line(out, l);
            line(out, "```");
            line(out);
        }
    }
}

void growthSection(std::string& out, const LeakReport& r)
{
    if (r.growth.empty())
        return;
    line(out, fmt::format("## Growth by type ({} {} points)", r.series.timesNs.size(), r.series.source));
    line(out);
    line(out, "| Type | Count first → last | Δ count | Count/min | Δ size | Trend of the count |");
    line(out, "|---|---:|---:|---:|---:|---|");
    for (const auto& g : r.growth)
        line(out,
            fmt::format("| {}{} | {} → {} | {} | {} | {} | {} |", code(g.type, true), g.suspect ? " ⚠" : "",
                formatCount(static_cast<std::int64_t>(g.counts.empty() ? 0 : g.counts.front())),
                formatCount(static_cast<std::int64_t>(g.counts.empty() ? 0 : g.counts.back())),
                formatSignedCount(g.countDelta), formatNumber(g.countTrend.slopePerMinute),
                formatSignedBytes(g.sizeDelta), markdownEscape(g.countTrend.verdict)));
    line(out);
}

void memorySection(std::string& out, const LeakReport& r)
{
    const auto rss = rssSummaryLine(r.memory);
    if (rss.empty() && !r.memory.haveTracked)
        return;
    line(out, "## Memory");
    line(out);
    if (!rss.empty())
        line(out, "- " + markdownEscape(rss));
    if (r.memory.haveTracked)
        line(out,
            fmt::format("- GC-tracked objects (shallow sizes): {} ({}/min)",
                formatSignedBytes(r.memory.trackedSizeDelta),
                formatSignedBytes(static_cast<std::int64_t>(r.memory.trackedPerMinute))));
    if (r.memory.untrackedGrowth)
        line(out, "- **" + markdownEscape(r.memory.note) + "**");
    line(out);
}

void snapshotsSection(std::string& out, const LeakReport& r)
{
    if (r.snapshotList.empty())
        return;
    line(out, "## Heap snapshots");
    line(out);
    line(out, "| Snapshot | Taken | Objects | Target paused | Walked by |");
    line(out, "|---:|---|---:|---:|---|");
    for (const auto& s : r.snapshotList)
        line(out,
            fmt::format("| {} | {} | {} | {} | {} |", s.id, formatTimeNs(s.takenNs),
                formatCount(static_cast<std::int64_t>(s.objects)), formatMs(s.pauseMs),
                markdownEscape(walkedByText(s))));
    line(out);
}

void gcSection(std::string& out, const LeakReport& r)
{
    const auto& gc = r.gc;
    line(out, "## Garbage collector");
    line(out);
    line(out, markdownEscape(gcSummaryLine(gc)) + ".");
    line(out);
    line(out,
        std::string("| Generation | Collections | Per second | Collected | Per collection | Pause total | Mean | p50 | "
                    "p99 | Max |")
            + (gc.havePythonFigures ? " CPython's total | CPython's max | Examined |" : ""));
    line(out,
        std::string("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            + (gc.havePythonFigures ? "---:|---:|---:|" : ""));
    for (const auto& g : gc.generations) {
        const bool none = g.collections == 0;
        const auto ms = [&](double v) { return none ? std::string("—") : formatMs(v); };
        std::string row = fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |", markdownEscape(g.name),
            formatCount(g.collections), formatNumber(g.perSecond), formatCount(g.collected),
            none ? "—" : formatNumber(g.collectedPerCollection), ms(g.pause.totalMs), ms(g.pause.meanMs),
            ms(g.pause.p50Ms), ms(g.pause.p99Ms), ms(g.pause.maxMs));
        if (gc.havePythonFigures) {
            const bool figures = g.pythonPauseCollections > 0;
            row += fmt::format(" {} | {} | {} |", figures ? formatMs(g.pythonPause.totalMs) : "—",
                figures ? formatMs(g.pythonPause.maxMs) : "—", figures ? formatCount(g.candidates) : "—");
        }
        line(out, row);
    }
    line(out);
    line(out,
        fmt::format("Thresholds {}/{}/{}; collector {}; frozen objects {}; `gc.garbage` holds {}; tracked "
                    "objects at the last census {}{}.",
            gc.threshold[0], gc.threshold[1], gc.threshold[2], gc.enabled ? "enabled" : "**disabled**",
            formatCount(gc.freezeCount), formatCount(gc.gcGarbage),
            formatCount(static_cast<std::int64_t>(gc.trackedObjects)),
            gc.fullPauseMsPerMillionTracked > 0
                ? fmt::format("; a full collection costs about {} per million tracked objects",
                    formatMs(gc.fullPauseMsPerMillionTracked))
                : std::string()));
    line(out);
    if (gc.snapshotsAnalyzed == 0)
        return;
    line(out,
        fmt::format("### Cyclic garbage by type ({} snapshot{}, {} objects, {})", gc.snapshotsAnalyzed,
            gc.snapshotsAnalyzed == 1 ? "" : "s", formatCount(static_cast<std::int64_t>(gc.cyclicGarbageObjects)),
            formatBytes(static_cast<std::int64_t>(gc.cyclicGarbageSize))));
    line(out);
    if (gc.cyclicGarbage.empty()) {
        line(out, "No unreachable objects in the snapshots: nothing was waiting for the collector.");
        line(out);
    } else {
        line(out, "| Type | Objects | Share | Size |");
        line(out, "|---|---:|---:|---:|");
        for (std::size_t i = 0; i < gc.cyclicGarbage.size() && i < 15; ++i) {
            const auto& t = gc.cyclicGarbage[i];
            line(out,
                fmt::format("| {} | {} | {} | {} |", code(t.type, true),
                    formatCount(static_cast<std::int64_t>(t.objects)), formatPercent(t.share),
                    formatBytes(static_cast<std::int64_t>(t.size))));
        }
        line(out);
    }
    if (!r.cycles.empty()) {
        line(out, "### Unreachable cycles by shape");
        line(out);
        line(out, "| Shape | Cycles | Objects | Closed by | `__del__` |");
        line(out, "|---|---:|---:|---|---|");
        for (std::size_t i = 0; i < r.cycles.size() && i < 10; ++i) {
            const auto& c = r.cycles[i];
            line(out,
                fmt::format("| {} | {} | {} | {} | {} |", code(shapeText(c), true),
                    formatCount(static_cast<std::int64_t>(c.cycles)), formatCount(static_cast<std::int64_t>(c.objects)),
                    c.breakEdge.empty() ? "—" : code(c.breakEdge, true), c.hasFinalizer ? "yes" : "no"));
        }
        line(out);
    }
}

void adviceSection(std::string& out, const LeakReport& r)
{
    line(out, "## Advice");
    line(out);
    if (r.advice.empty()) {
        line(out, "Nothing to suggest about the collector: its numbers look ordinary for this program.");
        line(out);
        return;
    }
    int n = 0;
    for (const auto& a : r.advice) {
        line(out, fmt::format("### {}. {}", ++n, withDunderCode(a.title)));
        line(out);
        line(out, withDunderCode(a.text));
        line(out);
        if (!a.code.empty()) {
            line(out, "```python");
            line(out, a.code);
            line(out, "```");
            line(out);
        }
        std::string evidence;
        for (const auto& [name, value] : a.evidence)
            evidence += (evidence.empty() ? "" : ", ") + code(name) + " " + formatNumber(value);
        if (!evidence.empty()) {
            line(out, "Evidence: " + evidence);
            line(out);
        }
    }
}

} // namespace

std::string renderMarkdown(const LeakReport& r)
{
    std::string out;
    const auto& t = r.target;
    line(out, fmt::format("# gcscope leak report: {}", code(commandLine(t))));
    line(out);
    line(out,
        fmt::format("PID {} · {} · session {} ({}, {}) · started {} · {} · series: {} ({} points){}", t.pid,
            markdownEscape(targetPythonText(t)), t.sessionId, t.mode, t.complete ? "complete" : "incomplete",
            formatTimeNs(t.startedNs), formatDuration(t.durationS), r.series.source, r.series.timesNs.size(),
            r.snapshotId ? fmt::format(" · owners from snapshot {} of {}", *r.snapshotId, r.snapshots)
                         : std::string(" · no snapshot")));
    line(out);
    line(out, "**" + markdownEscape(headline(r)) + "**");
    line(out);
    for (const auto& s : r.suspects)
        line(out,
            fmt::format("- {} {} — {}", code(s.type), formatSignedCount(s.countDelta),
                s.owner.empty() ? std::string("no single owner") : "held by " + code(s.ownerExpression)));
    if (!r.suspects.empty())
        line(out);
    if (const auto rss = rssSummaryLine(r.memory); !rss.empty())
        line(out, "- " + markdownEscape(rss));
    line(out, "- " + markdownEscape(gcSummaryLine(r.gc)));
    if (!r.advice.empty())
        line(out, fmt::format("- {} piece{} of advice: {}", r.advice.size(), r.advice.size() == 1 ? "" : "s", [&] {
            std::string titles;
            for (const auto& a : r.advice)
                titles += (titles.empty() ? "" : "; ") + withDunderCode(a.title);
            return titles;
        }()));
    line(out);

    suspectsSection(out, r);
    accumulationsSection(out, r);
    growthSection(out, r);
    memorySection(out, r);
    snapshotsSection(out, r);
    gcSection(out, r);
    adviceSection(out, r);
    if (!r.notes.empty()) {
        line(out, "## Notes");
        line(out);
        for (const auto& n : r.notes)
            line(out, "- " + withDunderCode(n));
        line(out);
    }
    line(out,
        fmt::format("<sub>Generated by {} from {} at {}. How each number is computed: docs/report.md in the "
                    "gcscope sources.</sub>",
            markdownEscape(r.generator), code(r.file), formatTimeNs(r.generatedNs)));
    return out;
}

} // namespace gcscope::report
