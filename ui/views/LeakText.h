// How the Leaks view words a leak report. The sentences the reports already have (the headline, the
// owner summary, the trend, companions, the path's references) come from profiler/report/ReportText,
// so the view, the HTML, the Markdown and the CLI say the same thing the same way.
#pragma once

#include "report/LeakReport.h"

#include <QList>
#include <QString>

#include <cstddef>
#include <vector>

namespace gcscope::ui::leaks {

// The report's headline: "2 leak suspects", "No leak suspects", or, when the evidence is too thin,
// "Cannot decide yet: <reason>; <advice>" (never "No leak suspects" then).
QString headline(const report::LeakReport& report);

// The headline's tone, by the HTML report's rule: suspects are bad news; undecided or memory growing
// outside Python objects a warning; else good.
enum class Tone { Neutral, Good, Warning, Bad };
Tone toneOf(const report::LeakReport& report);

QString suspectName(const report::Suspect& suspect); // the type, and the user's class behind it when known
QString evidenceText(const report::Suspect& suspect); // "trend", "snapshots (weak)", "trend + snapshots"
QString evidenceToolTip(const report::Suspect& suspect);

// The suspect's count over time, for the sparkline: its own series when the report has one, else its
// type's row of the growth table (sizes for a size-only suspect). Empty when neither has two points.
QList<qreal> suspectSeries(const report::LeakReport& report, const report::Suspect& suspect);

// How step `index - 1` of a retention path refers to step `index`, as the reports print it
// (".entries", "['/items?rid=3']", "[12]", "(member)"); "" for the first step.
QString stepReference(const std::vector<report::PathStep>& steps, std::size_t index);

// The detail pane: why, owner, growth, retained size, snapshot evidence, companions, and the notes.
QString suspectDetailsHtml(const report::LeakReport& report, const report::Suspect& suspect);
// The detail pane without a suspect: what the verdict means and what to do, and the notes.
QString verdictDetailsHtml(const report::LeakReport& report);

} // namespace gcscope::ui::leaks
