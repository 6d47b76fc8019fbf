#include "views/LeakText.h"

#include "report/ReportText.h"
#include "views/Formatting.h"

#include <QCoreApplication>
#include <QStringList>

#include <algorithm>
#include <string>

namespace gcscope::ui::leaks {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("LeakText", text);
}

QString qs(const std::string& text)
{
    return QString::fromStdString(text);
}

QString esc(const QString& text)
{
    return text.toHtmlEscaped();
}

QString esc(const std::string& text)
{
    return qs(text).toHtmlEscaped();
}

QString row(const QString& name, const QString& valueHtml)
{
    return QStringLiteral("<tr><th align=\"left\" valign=\"top\" style=\"padding-right:12px\">%1</th><td>%2</td></tr>")
        .arg(esc(name), valueHtml);
}

QString joinCounts(const std::vector<std::uint64_t>& values, const QString& separator)
{
    QStringList parts;
    for (auto v : values)
        parts << formatCount(v);
    return parts.join(separator);
}

// What the snapshots add to report::evidenceSummary (which has the counts, the confidence and the
// owner's first and last): the numbers per interval and per snapshot.
QString snapshotEvidenceHtml(const report::SnapshotEvidence& e)
{
    QStringList lines;
    if (!e.newPerInterval.empty())
        lines << tr("new per interval, oldest first: %1").arg(joinCounts(e.newPerInterval, QStringLiteral(", ")));
    lines << tr("the new ones retain %1").arg(formatBytes(e.newRetained));
    if (e.ownerReferences.size() > 2)
        lines << tr("the owner's references in each snapshot: %1")
                     .arg(joinCounts(e.ownerReferences, QStringLiteral(" → ")));
    if (e.confidence != "strong")
        lines << tr("only %1 snapshots: a third one makes the evidence strong").arg(e.snapshots);
    for (auto& line : lines)
        line = esc(line);
    return lines.join(QStringLiteral("<br>"));
}

QString notesHtml(const report::LeakReport& report)
{
    QString html;
    if (report.memory.untrackedGrowth && !report.memory.note.empty())
        html += QStringLiteral("<p>") + esc(report.memory.note) + QStringLiteral("</p>");
    if (report.notes.empty())
        return html;
    html += QStringLiteral("<p><i>%1</i></p><ul>").arg(esc(tr("About this report")));
    for (const auto& note : report.notes)
        html += QStringLiteral("<li>") + esc(note) + QStringLiteral("</li>");
    return html + QStringLiteral("</ul>");
}

} // namespace

QString headline(const report::LeakReport& report)
{
    return qs(report::headline(report));
}

Tone toneOf(const report::LeakReport& report)
{
    if (!report.suspects.empty())
        return Tone::Bad;
    if (report.memory.untrackedGrowth || report.verdict.kind == "undecided")
        return Tone::Warning;
    return Tone::Good;
}

QString suspectName(const report::Suspect& suspect)
{
    if (suspect.userClass.empty())
        return qs(suspect.type);
    return QStringLiteral("%1 (%2)").arg(qs(suspect.type), qs(suspect.userClass));
}

QString evidenceText(const report::Suspect& suspect)
{
    QString text = qs(suspect.evidence);
    text.replace(QLatin1Char('+'), QStringLiteral(" + "));
    if (suspect.snapshotEvidence && !suspect.snapshotEvidence->confidence.empty())
        text += QStringLiteral(" (%1)").arg(qs(suspect.snapshotEvidence->confidence));
    return text;
}

QString evidenceToolTip(const report::Suspect& suspect)
{
    return qs(report::evidenceSummary(suspect));
}

QList<qreal> suspectSeries(const report::LeakReport& report, const report::Suspect& suspect)
{
    QList<qreal> values;
    if (suspect.series.size() >= 2) {
        for (const auto& point : suspect.series)
            values << static_cast<qreal>(point.second);
        return values;
    }
    const auto growth = std::find_if(report.growth.begin(), report.growth.end(),
        [&](const report::TypeGrowth& g) { return g.type == suspect.type; });
    if (growth == report.growth.end())
        return values;
    for (auto v : suspect.sizeOnly ? growth->sizes : growth->counts)
        values << static_cast<qreal>(v);
    return values.size() >= 2 ? values : QList<qreal>();
}

QString stepReference(const std::vector<report::PathStep>& steps, std::size_t index)
{
    if (index == 0 || index >= steps.size())
        return {};
    // pathLines() writes "  <reference> → <object>": take what stands before the object it names.
    const std::string line = report::pathLines(steps)[index];
    const auto& s = steps[index];
    const std::string& shown = s.label.empty() ? s.name : s.label;
    const std::string tail = " → " + s.type + (shown.empty() ? "" : " " + shown);
    if (line.size() > tail.size() + 2 && line.ends_with(tail))
        return qs(line.substr(2, line.size() - tail.size() - 2));
    const auto& edge = steps[index - 1].edge;
    return edge ? qs(*edge) : QString();
}

QString suspectDetailsHtml(const report::LeakReport& report, const report::Suspect& s)
{
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px\">%1</h3>").arg(esc(s.type));
    if (!s.userClass.empty())
        html += QStringLiteral("<p style=\"margin-top:0\">%1</p>").arg(esc(s.userClass));
    if (!s.why.empty())
        html += QStringLiteral("<p>%1</p>").arg(esc(s.why));

    html += QStringLiteral("<table cellspacing=\"2\">");
    QString owner = esc(report::ownerSummary(s));
    if (s.ownerAddress != 0)
        owner += QStringLiteral(" <span style=\"color:gray\">%1</span>").arg(formatAddress(s.ownerAddress));
    html += row(tr("Owner"), owner);
    if (!s.sizeOnly)
        html += row(tr("Objects added"),
            esc(tr("%1 (%2)").arg(formatSignedCount(s.countDelta), formatRate(s.countPerMinute, false))));
    else
        html += row(tr("Objects added"), esc(tr("none: the count is flat, one container grows")));
    html += row(qs(report::sizeAddedLabel(s)),
        esc(tr("%1 (%2)").arg(formatSignedBytes(s.sizeDelta), formatRate(s.sizePerMinute, true))));
    if (report.snapshotId)
        html += row(tr("Retained now"),
            esc(tr("%1 by %2 instances in snapshot %3")
                    .arg(formatBytes(s.retainedSize), formatCount(s.instances), QString::number(*report.snapshotId))));
    html += row(tr("Evidence"), esc(report::evidenceSummary(s)));
    if (s.snapshotEvidence)
        html += row(tr("Snapshots"), snapshotEvidenceHtml(*s.snapshotEvidence));
    if (!s.companions.empty())
        html += row(tr("Grows with it"), esc(report::companionsText(s.companions)));
    html += QStringLiteral("</table>");
    return html + notesHtml(report);
}

QString verdictDetailsHtml(const report::LeakReport& report)
{
    QString html;
    if (report.verdict.kind == "undecided")
        html = QStringLiteral("<p><b>%1</b> %2.</p><p><b>%3</b> %4.</p>")
                   .arg(esc(tr("Cannot decide yet:")), esc(report.verdict.reason), esc(tr("To decide:")),
                       esc(report.verdict.advice));
    else if (report.suspects.empty())
        html = QStringLiteral("<p>%1</p>")
                   .arg(esc(tr("No type grew steadily: nothing in this recording looks like a leak of Python "
                               "objects.")));
    else
        html = QStringLiteral("<p>%1</p>").arg(esc(tr("Select a suspect to see why it is one and what holds it.")));
    return html + notesHtml(report);
}

} // namespace gcscope::ui::leaks
