// renderHtml: one self-contained HTML file (inline CSS and SVG, no scripts, no external URLs),
// readable on screen and printable.
#include "report/ReportWriter.h"

#include "report/Format.h"
#include "report/HtmlStyle.h"
#include "report/ReportText.h"
#include "report/SvgChart.h"

#include <algorithm>
#include <fmt/core.h>

namespace gcscope::report {

namespace {

using svg::Unit;

std::string esc(std::string_view s)
{
    return htmlEscape(s);
}

std::string codeTag(std::string_view s)
{
    return "<code>" + esc(s) + "</code>";
}

double secondsSince(std::int64_t t, std::int64_t origin)
{
    return static_cast<double>(t - origin) / 1e9;
}

std::string figure(const std::string& value, const std::string& what)
{
    return fmt::format(
        "<div class=\"figure\"><div class=\"value\">{}</div><div class=\"what\">{}</div></div>", value, what);
}

std::string caption(const std::string& text)
{
    return "<div class=\"caption\">" + esc(text) + "</div>";
}

std::string pathHtml(const std::vector<PathStep>& steps)
{
    const auto lines = pathLines(steps);
    std::string out = "<ol class=\"path\">";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string l = lines[i];
        std::string html;
        const auto arrow = l.find(" → ");
        if (i == 0) {
            const auto root = l.find("   (root)");
            html = esc(root == std::string::npos ? l : l.substr(0, root))
                + (root == std::string::npos ? "" : " <span class=\"root\">root</span>");
        } else if (arrow != std::string::npos) {
            html = "&nbsp;&nbsp;<span class=\"edge\">" + esc(l.substr(2, arrow - 2)) + "</span> → "
                + (i + 1 == lines.size() ? "<span class=\"target\">" + esc(l.substr(arrow + 5)) + "</span>"
                                         : esc(l.substr(arrow + 5)));
        } else {
            html = esc(l);
        }
        out += "<li>" + html + "</li>";
    }
    return out + "</ol>";
}

const TypeGrowth* growthOf(const LeakReport& r, const std::string& type)
{
    for (const auto& g : r.growth)
        if (g.type == type)
            return &g;
    return nullptr;
}

std::string growthChart(const LeakReport& r, const std::vector<const TypeGrowth*>& rows, bool sizes,
    const std::string& title, int width = 720, int height = 240)
{
    std::vector<svg::Series> series;
    const auto origin = r.series.timesNs.empty() ? 0 : r.series.timesNs.front();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        svg::Series s;
        s.name = rows[i]->type;
        s.color = svg::palette()[i % svg::palette().size()];
        s.dots = r.series.timesNs.size() <= 40;
        const auto& values = sizes ? rows[i]->sizes : rows[i]->counts;
        for (std::size_t k = 0; k < values.size() && k < r.series.timesNs.size(); ++k)
            s.points.emplace_back(secondsSince(r.series.timesNs[k], origin), static_cast<double>(values[k]));
        series.push_back(std::move(s));
    }
    svg::ChartOptions o;
    o.title = title;
    o.xLabel = "time since the first point";
    o.yLabel = sizes ? "shallow size" : "objects";
    o.yUnit = sizes ? Unit::Bytes : Unit::Count;
    o.width = width;
    o.height = height;
    return svg::xyChart(series, o);
}

std::string seriesChart(
    const std::vector<std::pair<std::int64_t, std::uint64_t>>& points, const std::string& title, int width, int height)
{
    svg::Series s;
    s.name = title;
    s.color = svg::palette()[0];
    s.dots = true;
    for (const auto& [t, v] : points)
        s.points.emplace_back(secondsSince(t, points.front().first), static_cast<double>(v));
    svg::ChartOptions o;
    o.title = title;
    o.xLabel = "time since the first snapshot";
    o.yLabel = "references";
    o.yUnit = Unit::Count;
    o.width = width;
    o.height = height;
    return svg::xyChart({ s }, o);
}

void accumulations(std::string& out, const LeakReport& r)
{
    if (r.accumulations.empty())
        return;
    out += fmt::format("<section id=\"accumulations\"><h2>Largest accumulation points</h2><p class=\"muted\">Where "
                       "memory sits in snapshot {}: the collections that retain the most. Not leaks by themselves (a "
                       "large cache looks the same); the suspects are what grew.</p>",
        r.snapshotId.value_or(0));
    out += "<table><tr><th>Collection</th><th class=\"n\">References</th><th>Mostly</th>"
           "<th class=\"n\">Retained</th><th class=\"n\">Share</th></tr>";
    for (const auto& a : r.accumulations)
        out += fmt::format("<tr><td>{} <span class=\"muted\">({})</span></td><td class=\"n\">{}</td><td>{}</td>"
                           "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            codeTag(a.ownerExpression), esc(a.ownerType), esc(formatCount(static_cast<std::int64_t>(a.items))),
            a.itemType.empty() ? std::string("—") : codeTag(a.itemType),
            esc(formatBytes(static_cast<std::int64_t>(a.retainedSize))), esc(formatPercent(a.share)));
    out += "</table></section>";
}

void snapshotTable(std::string& out, const LeakReport& r)
{
    if (r.snapshotList.empty())
        return;
    out += "<section id=\"snapshots\"><h2>Heap snapshots</h2><p class=\"muted\">What taking each one cost the "
           "target: a copy-on-write child walks the heap while the target pauses only to be cloned; walked in the "
           "target, it pauses for the whole walk.</p>";
    out += "<table><tr><th class=\"n\">Snapshot</th><th>Taken</th><th class=\"n\">Objects</th><th "
           "class=\"n\">Target paused</th><th>Walked by</th></tr>";
    for (const auto& s : r.snapshotList)
        out += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td>{}</td></tr>",
            s.id, esc(formatTimeNs(s.takenNs)), esc(formatCount(static_cast<std::int64_t>(s.objects))),
            esc(formatMs(s.pauseMs)), esc(walkedByText(s)));
    out += "</table></section>";
}

void header(std::string& out, const LeakReport& r)
{
    const auto& t = r.target;
    out += "<header><h1>Leak report</h1>";
    out += "<p class=\"meta\">" + codeTag(commandLine(t)) + "</p>";
    out += fmt::format("<p class=\"meta\"><span>PID {}</span><span>{}</span><span>session {} ({}, {})</span>"
                       "<span>started {}</span><span>{} recorded</span><span>{} snapshot{}</span></p></header>",
        t.pid, esc(targetPythonText(t)), t.sessionId, esc(t.mode), t.complete ? "complete" : "incomplete",
        formatTimeNs(t.startedNs), formatDuration(t.durationS), r.snapshots, r.snapshots == 1 ? "" : "s");

    const char* tone = !r.suspects.empty()                          ? "bad"
        : r.memory.untrackedGrowth || r.verdict.kind == "undecided" ? "warn"
                                                                    : "good";
    out += fmt::format("<div class=\"headline {}\">{}</div>", tone, esc(headline(r)));
    out += "<div class=\"figures\">";
    out += figure(std::to_string(r.suspects.size()), "leak suspects");
    if (r.memory.haveRss)
        out += figure(esc(formatSignedBytes(r.memory.rssDelta)),
            fmt::format("resident memory ({} → {})", esc(formatBytes(static_cast<std::int64_t>(r.memory.rssFirst))),
                esc(formatBytes(static_cast<std::int64_t>(r.memory.rssLast)))));
    out += figure(esc(formatPercent(r.gc.wallTimeShare)),
        fmt::format("of wall time in GC pauses ({} total)", esc(formatMs(r.gc.pause.totalMs))));
    out += figure(esc(formatCount(r.gc.collections[0] + r.gc.collections[1] + r.gc.collections[2])),
        fmt::format("collections, {} objects freed", esc(formatCount(r.gc.collected))));
    if (r.gc.snapshotsAnalyzed > 0)
        out += figure(esc(formatCount(static_cast<std::int64_t>(r.gc.cyclicGarbageObjects))),
            fmt::format("cyclic garbage objects in {} snapshot{}", r.gc.snapshotsAnalyzed,
                r.gc.snapshotsAnalyzed == 1 ? "" : "s"));
    out += figure(std::to_string(r.advice.size()), "pieces of GC advice");
    out += "</div>";
}

void suspects(std::string& out, const LeakReport& r)
{
    out += "<section id=\"suspects\"><h2>Leak suspects</h2>";
    if (r.suspects.empty()) {
        out += r.verdict.kind != "undecided"
            ? (r.snapshots >= 2 ? "<p>No type grew steadily, and no container kept accumulating new objects from one "
                                  "heap snapshot to the next: nothing in this recording looks like a leak of Python "
                                  "objects.</p>"
                                : "<p>No type grew steadily: nothing in this recording looks like a leak of Python "
                                  "objects.</p>")
            : "<p>Cannot decide yet: " + esc(r.verdict.reason) + ". To decide: " + esc(r.verdict.advice) + ".</p>";
        if (r.memory.untrackedGrowth)
            out += "<p class=\"note\">" + esc(r.memory.note) + "</p>";
        out += "</section>";
        return;
    }
    int rank = 0;
    for (const auto& s : r.suspects) {
        out += "<div class=\"card suspect\">";
        out += fmt::format("<h3><span class=\"rank\">{}</span>{}</h3>", ++rank, codeTag(s.type));
        if (!s.owner.empty())
            out += fmt::format("<div class=\"owner\">held by {} <span class=\"muted\">({})</span></div>",
                codeTag(s.ownerExpression), esc(s.ownerType));
        out += "<p class=\"why\">" + esc(s.why) + "</p>";
        out += "<div class=\"cols\"><div><table class=\"kv\">";
        if (!s.sizeOnly)
            out += fmt::format("<tr><th>Objects added</th><td>{} <span class=\"muted\">({}/min)</span></td></tr>",
                esc(formatSignedCount(s.countDelta)), esc(formatNumber(s.countPerMinute)));
        out += fmt::format("<tr><th>{}</th><td>{} <span class=\"muted\">({}/min)</span></td></tr>", sizeAddedLabel(s),
            esc(formatSignedBytes(s.sizeDelta)), esc(formatSignedBytes(static_cast<std::int64_t>(s.sizePerMinute))));
        if (r.snapshotId)
            out += fmt::format("<tr><th>Retained now</th><td>{} by {} instances <span class=\"muted\">(snapshot "
                               "{})</span></td></tr>",
                esc(formatBytes(static_cast<std::int64_t>(s.retainedSize))),
                esc(formatCount(static_cast<std::int64_t>(s.instances))), *r.snapshotId);
        out += fmt::format("<tr><th>Owner</th><td>{}</td></tr>", esc(ownerSummary(s)));
        out += fmt::format("<tr><th>Evidence</th><td>{}</td></tr>", esc(evidenceSummary(s)));
        if (!s.companions.empty()) {
            std::string tags;
            for (const auto& c : s.companions)
                tags += fmt::format("<span class=\"tag\">{} · {} {}</span>", esc(c.type), esc(c.relation),
                    esc(formatSignedCount(c.countDelta)));
            out += "<tr><th>Grows with it</th><td>" + tags + "</td></tr>";
        }
        out += "</table></div><div>";
        if (s.evidence == "snapshots" && s.series.size() >= 2) {
            out += caption("The owner's references, snapshot by snapshot");
            out += seriesChart(s.series, s.ownerExpression + " over time", 440, 210);
        } else if (const auto* g = growthOf(r, s.type)) {
            out += caption(s.sizeOnly ? "Size over time" : "Objects over time");
            out += growthChart(r, { g }, s.sizeOnly, s.type + " over time", 440, 210);
        }
        out += "</div></div>";
        if (!s.retentionPath.empty()) {
            out += "<h4>Retention path from a root</h4>";
            out += pathHtml(s.retentionPath);
        }
        out += "</div>";
    }
    out += "</section>";
}

void growth(std::string& out, const LeakReport& r)
{
    if (r.growth.empty())
        return;
    out += fmt::format(
        "<section id=\"growth\"><h2>Growth by type</h2><p class=\"muted\">{} points from the {}{}; the trend test is "
        "described at the end.</p>",
        r.series.timesNs.size(), esc(r.series.source),
        r.series.source == "census"          ? " (GC-tracked objects)"
            : r.series.source == "snapshots" ? " (every object)"
                                             : "");
    std::vector<const TypeGrowth*> top;
    for (const auto& g : r.growth)
        if (top.size() < 6 && g.countDelta > 0)
            top.push_back(&g);
    if (!top.empty()) {
        out += caption("Objects of the fastest-growing types");
        out += "<div class=\"card\">" + growthChart(r, top, false, "Objects of the fastest-growing types") + "</div>";
    }
    out += "<table><tr><th>Type</th><th class=\"n\">Count first → last</th><th class=\"n\">Δ count</th><th "
           "class=\"n\">per min</th><th class=\"n\">Δ size</th><th>Shape</th><th>Trend of the count</th></tr>";
    for (const auto& g : r.growth) {
        std::vector<double> values(g.counts.begin(), g.counts.end());
        out += fmt::format("<tr{}><td>{}</td><td class=\"n\">{} → {}</td><td class=\"n\">{}</td><td "
                           "class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            g.suspect ? " class=\"flag\"" : "", codeTag(g.type),
            esc(formatCount(static_cast<std::int64_t>(g.counts.empty() ? 0 : g.counts.front()))),
            esc(formatCount(static_cast<std::int64_t>(g.counts.empty() ? 0 : g.counts.back()))),
            esc(formatSignedCount(g.countDelta)), esc(formatNumber(g.countTrend.slopePerMinute)),
            esc(formatSignedBytes(g.sizeDelta)), svg::sparkline(values, 110, 24, g.suspect ? "#dc2626" : "#64748b"),
            esc(g.countTrend.verdict));
    }
    out += "</table></section>";
}

void memory(std::string& out, const LeakReport& r)
{
    const auto& m = r.memory;
    if (!m.haveRss && !m.haveTracked)
        return;
    out += "<section id=\"memory\"><h2>Memory</h2>";
    if (m.untrackedGrowth && !r.suspects.empty()) // without suspects, the suspects section said it already
        out += "<p class=\"note\">" + esc(m.note) + "</p>";
    const auto origin = r.target.startedNs;
    std::vector<svg::Series> series;
    if (m.haveRss) {
        svg::Series s { "resident memory (RSS)", "#2563eb", {} };
        for (const auto& [t, v] : m.rss)
            s.points.emplace_back(secondsSince(t, origin), static_cast<double>(v));
        series.push_back(std::move(s));
    }
    if (m.haveTracked) {
        svg::Series s { "GC-tracked objects (shallow)", "#ea580c", {} };
        s.dots = m.trackedSize.size() <= 40;
        for (const auto& [t, v] : m.trackedSize)
            s.points.emplace_back(secondsSince(t, origin), static_cast<double>(v));
        series.push_back(std::move(s));
    }
    svg::ChartOptions o;
    o.title = "Resident memory and GC-tracked objects";
    o.xLabel = "time since the recording started";
    o.yUnit = Unit::Bytes;
    out += "<div class=\"card\">";
    if (const auto line = rssSummaryLine(m); !line.empty())
        out += "<p>" + esc(line) + ".</p>";
    if (m.haveTracked)
        out += fmt::format("<p>GC-tracked objects (sum of shallow sizes at each census): {} ({}/min).</p>",
            esc(formatSignedBytes(m.trackedSizeDelta)),
            esc(formatSignedBytes(static_cast<std::int64_t>(m.trackedPerMinute))));
    out += svg::xyChart(series, o) + "</div></section>";
}

void gc(std::string& out, const LeakReport& r)
{
    const auto& gc = r.gc;
    out += "<section id=\"gc\"><h2>Garbage collector</h2>";
    out += "<p>" + esc(gcSummaryLine(gc)) + ".</p>";
    out += "<table><tr><th>Generation</th><th class=\"n\">Collections</th><th class=\"n\">per second</th><th "
           "class=\"n\">Collected</th><th class=\"n\">per collection</th><th class=\"n\">Pause total</th><th "
           "class=\"n\">mean</th><th class=\"n\">p50</th><th class=\"n\">p99</th><th class=\"n\">max</th>";
    if (gc.havePythonFigures)
        out += "<th class=\"n\" title=\"the duration CPython itself reports to gc.callbacks (3.15+)\">CPython's "
               "total</th><th class=\"n\">CPython's max</th><th class=\"n\" title=\"objects the collections "
               "examined\">Examined</th>";
    out += "</tr>";
    for (const auto& g : gc.generations) {
        const bool none = g.collections == 0;
        const auto ms = [&](double v) { return none ? std::string("—") : esc(formatMs(v)); };
        out += fmt::format(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
            "class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
            "class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(g.name), esc(formatCount(g.collections)), esc(formatNumber(g.perSecond)), esc(formatCount(g.collected)),
            none ? "—" : esc(formatNumber(g.collectedPerCollection)), ms(g.pause.totalMs), ms(g.pause.meanMs),
            ms(g.pause.p50Ms), ms(g.pause.p99Ms), ms(g.pause.maxMs));
        if (gc.havePythonFigures) {
            const bool figures = g.pythonPauseCollections > 0;
            out += fmt::format("<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                figures ? esc(formatMs(g.pythonPause.totalMs)) : "—",
                figures ? esc(formatMs(g.pythonPause.maxMs)) : "—", figures ? esc(formatCount(g.candidates)) : "—");
        }
        out += "</tr>";
    }
    out += "</table>";
    out += fmt::format(
        "<p class=\"muted\">Thresholds {}/{}/{} · collector {} · frozen objects {} · gc.garbage holds {} "
        "· tracked objects at the last census {}{}</p>",
        gc.threshold[0], gc.threshold[1], gc.threshold[2], gc.enabled ? "enabled" : "<b>disabled</b>",
        esc(formatCount(gc.freezeCount)), esc(formatCount(gc.gcGarbage)),
        esc(formatCount(static_cast<std::int64_t>(gc.trackedObjects))),
        gc.fullPauseMsPerMillionTracked > 0
            ? esc(fmt::format(" · a full collection costs about {} per million tracked objects",
                formatMs(gc.fullPauseMsPerMillionTracked)))
            : std::string());

    if (!gc.pauseVsTracked.empty()) {
        std::array<svg::Series, 3> overTime, againstTracked;
        const char* colors[] = { "#94a3b8", "#2563eb", "#dc2626" };
        for (int g = 0; g < 3; ++g) {
            overTime[g] = { gc.generationNames[g], colors[g], {}, false, true };
            againstTracked[g] = { gc.generationNames[g], colors[g], {}, false, true };
        }
        for (const auto& p : gc.pauseVsTracked) {
            overTime[p.generation].points.emplace_back(secondsSince(p.timeNs, r.target.startedNs), p.pauseMs);
            againstTracked[p.generation].points.emplace_back(static_cast<double>(p.trackedObjects), p.pauseMs);
        }
        std::vector<svg::Series> a, b;
        for (int g = 0; g < 3; ++g)
            if (!overTime[g].points.empty()) {
                a.push_back(overTime[g]);
                b.push_back(againstTracked[g]);
            }
        svg::ChartOptions o;
        o.yUnit = Unit::Milliseconds;
        o.yLabel = "pause";
        o.width = 520;
        o.height = 230;
        o.title = "Collection pauses over time";
        o.xLabel = "time since the recording started";
        out += "<div class=\"cols\"><div class=\"card\">" + caption(o.title) + svg::xyChart(a, o) + "</div>";
        o.title = "Pause against tracked objects";
        o.xLabel = "GC-tracked objects (nearest census)";
        o.xUnit = Unit::Count;
        o.yFromZero = true;
        out += "<div class=\"card\">" + caption(o.title) + svg::xyChart(b, o) + "</div></div>";
    }

    if (gc.snapshotsAnalyzed > 0) {
        out += fmt::format("<h4>Cyclic garbage by type</h4><p class=\"muted\">What the next full collection would have "
                           "freed at each of {} snapshot{}: {} objects, {}.</p>",
            gc.snapshotsAnalyzed, gc.snapshotsAnalyzed == 1 ? "" : "s",
            esc(formatCount(static_cast<std::int64_t>(gc.cyclicGarbageObjects))),
            esc(formatBytes(static_cast<std::int64_t>(gc.cyclicGarbageSize))));
        if (gc.cyclicGarbage.empty()) {
            out += "<p>No unreachable objects: nothing was waiting for the collector.</p>";
        } else {
            std::vector<svg::Bar> bars;
            for (std::size_t i = 0; i < gc.cyclicGarbage.size() && i < 12; ++i)
                bars.push_back({ gc.cyclicGarbage[i].type, static_cast<double>(gc.cyclicGarbage[i].objects),
                    formatPercent(gc.cyclicGarbage[i].share) });
            svg::ChartOptions o;
            o.title = "Cyclic garbage by type";
            out += "<div class=\"card\">" + svg::barChart(bars, o, "#9333ea") + "</div>";
        }
        if (!r.cycles.empty()) {
            out += "<h4>Unreachable cycles by shape</h4><table><tr><th>Shape</th><th class=\"n\">Cycles</th><th "
                   "class=\"n\">Objects</th><th class=\"n\">Size</th><th>Closed by</th><th>__del__</th></tr>";
            for (std::size_t i = 0; i < r.cycles.size() && i < 10; ++i) {
                const auto& c = r.cycles[i];
                out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
                                   "class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                    codeTag(shapeText(c)), esc(formatCount(static_cast<std::int64_t>(c.cycles))),
                    esc(formatCount(static_cast<std::int64_t>(c.objects))),
                    esc(formatBytes(static_cast<std::int64_t>(c.size))),
                    c.breakEdge.empty() ? "—" : codeTag(c.breakEdge), c.hasFinalizer ? "yes" : "no");
            }
            out += "</table>";
        }
    }
    out += "</section>";
}

void advice(std::string& out, const LeakReport& r)
{
    out += "<section id=\"advice\"><h2>GC advice</h2>";
    if (r.advice.empty())
        out += "<p>Nothing to suggest about the collector: its numbers look ordinary for this program.</p>";
    for (const auto& a : r.advice) {
        out += "<div class=\"card advice\"><h3>" + esc(a.title) + "</h3><p>" + esc(a.text) + "</p>";
        if (!a.code.empty())
            out += "<pre><code>" + esc(a.code) + "</code></pre>";
        out += "<div class=\"evidence\">";
        for (const auto& [name, value] : a.evidence)
            out += "<span>" + esc(name) + " <b>" + esc(formatNumber(value)) + "</b></span>";
        out += "</div></div>";
    }
    out += "</section>";
}

void footer(std::string& out, const LeakReport& r)
{
    if (!r.notes.empty()) {
        out += "<section><h2>Notes</h2><ul>";
        for (const auto& n : r.notes)
            out += "<li>" + esc(n) + "</li>";
        out += "</ul></section>";
    }
    out += "<footer><p><b>How to read this.</b> A type is a leak suspect when its object count grows steadily over at "
           "least three points: Kendall's τ ≥ 0.6 (most pairs of points agree that later is larger; with ten or more "
           "points also a one-sided Mann-Kendall p &lt; 0.01), a rising least-squares line with R² ≥ 0.5, and still "
           "growing over the last half of the recording. A cache that filled to its bound and stayed flat fails the "
           "last test; objects freed by reference counting never accumulate. The owner is the lowest object in the "
           "dominator tree of the last snapshot that most new instances hang from; retained sizes come from the same "
           "tree. Cyclic garbage is what the next full collection would free at each snapshot.</p>";
    out += fmt::format("<p>Generated by {} from {} at {}.</p></footer>", esc(r.generator), codeTag(r.file),
        esc(formatTimeNs(r.generatedNs)));
}

} // namespace

std::string renderHtml(const LeakReport& r)
{
    std::string out;
    out.reserve(64 * 1024);
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<meta name=\"generator\" content=\""
        + esc(r.generator) + "\"><title>Leak report: " + esc(commandLine(r.target)) + "</title><style>" + kReportCss
        + "</style></head><body><main>";
    header(out, r);
    suspects(out, r);
    accumulations(out, r);
    growth(out, r);
    memory(out, r);
    snapshotTable(out, r);
    gc(out, r);
    advice(out, r);
    footer(out, r);
    out += "</main></body></html>\n";
    return out;
}

} // namespace gcscope::report
