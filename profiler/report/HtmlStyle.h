// The HTML report's style sheet, inlined into every report: screen and print.
#pragma once

namespace gcscope::report {

inline constexpr const char* kReportCss = R"CSS(
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --soft: #f8fafc;
        --bad: #b91c1c; --bad-bg: #fef2f2; --good: #15803d; --good-bg: #f0fdf4; --warn: #b45309; --warn-bg: #fffbeb;
        --accent: #2563eb; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--soft); color: var(--fg);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p { margin: 6px 0 10px; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #eef2ff; padding: 1px 5px; border-radius: 4px; word-break: break-word; }
pre { background: #0f172a; color: #e2e8f0; padding: 12px 14px; border-radius: 8px; overflow-x: auto; margin: 8px 0 12px;
      white-space: pre-wrap; word-break: break-word; }
pre code { background: none; padding: 0; color: inherit; }
.meta { color: var(--muted); margin: 2px 0 0; }
.meta span + span::before { content: " · "; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 12px 0;
        box-shadow: 0 1px 2px rgba(15, 23, 42, .04); }
.headline { font-size: 20px; font-weight: 650; padding: 14px 18px; border-radius: 10px; margin: 18px 0 12px; border: 1px solid; }
.headline.bad { color: var(--bad); background: var(--bad-bg); border-color: #fecaca; }
.headline.good { color: var(--good); background: var(--good-bg); border-color: #bbf7d0; }
.headline.warn { color: var(--warn); background: var(--warn-bg); border-color: #fde68a; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 12px 0; }
.figure { background: var(--bg); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.figure .value { font-size: 20px; font-weight: 650; }
.figure .what { color: var(--muted); font-size: 12.5px; }
.suspect h3 { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.rank { background: var(--bad); color: white; border-radius: 999px; padding: 0 9px; font-size: 13px; }
.why { font-size: 15px; margin: 8px 0 12px; }
.owner { font-size: 15px; }
.owner code { background: #fee2e2; font-size: 14px; }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { width: 38%; background: none; }
tr.flag td:first-child { border-left: 3px solid var(--bad); }
ol.path { list-style: none; margin: 6px 0 0; padding: 10px 12px; background: var(--soft); border: 1px solid var(--line);
          border-radius: 8px; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
ol.path li { padding: 1px 0; }
ol.path .edge { color: var(--accent); }
ol.path .root { color: var(--muted); font-style: italic; }
ol.path .target { font-weight: 700; }
.tag { display: inline-block; font-size: 11.5px; padding: 0 7px; border-radius: 999px; background: #e0e7ff; color: #3730a3; margin-right: 4px; }
.chart { width: 100%; height: auto; display: block; margin: 4px 0 8px; }
.chart text { font-size: 11px; fill: #475569; font-family: system-ui, sans-serif; }
.chart .label { fill: var(--muted); font-style: italic; }
.chart .grid line { stroke: #eef2f7; }
.chart .axis line { stroke: #94a3b8; }
.chart .barlabel { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11.5px; fill: var(--fg); }
.chart .barvalue { font-size: 11.5px; }
.caption { font-weight: 600; margin: 12px 0 2px; }
.spark { vertical-align: middle; }
.advice h3 { color: #1e3a8a; }
.evidence { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.evidence span { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 1px 8px; font-size: 12px; }
.note { color: var(--warn); background: var(--warn-bg); border: 1px solid #fde68a; border-radius: 8px; padding: 8px 12px; }
.muted { color: var(--muted); }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print {
  @page { margin: 14mm 12mm; }
  body { background: white; font-size: 11.5px; }
  main { max-width: none; padding: 0; }
  .card, .figure { box-shadow: none; break-inside: avoid; }
  h2 { break-after: avoid; }
  h3, .caption { break-after: avoid; }
  tr, .chart, ol.path, pre { break-inside: avoid; }
  pre { background: #f1f5f9; color: #0f172a; border: 1px solid var(--line); }
}
)CSS";

} // namespace gcscope::report
