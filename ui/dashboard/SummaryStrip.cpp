#include "dashboard/SummaryStrip.h"

#include "core/Format.h"

#include <QGridLayout>
#include <QLabel>

namespace gcscope::ui {

SummaryStrip::SummaryStrip(QWidget* parent)
    : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(0);
    status_ = addItem(tr("Status"), QStringLiteral("summaryStatus"), tr("How the recording ended"));
    duration_ = addItem(tr("Duration"), QStringLiteral("summaryDuration"), tr("Recorded time"));
    collections_ = addItem(tr("Collections gen 0 / 1 / 2"), QStringLiteral("summaryCollections"),
        tr("Garbage collections reported by gc.callbacks, per generation"));
    collectionsCaption_ = findChild<QLabel*>(QStringLiteral("summaryCollectionsCaption"));
    collected_ = addItem(tr("Collected"), QStringLiteral("summaryCollected"), tr("Objects freed by the collector"));
    uncollectable_ = addItem(tr("Uncollectable"), QStringLiteral("summaryUncollectable"),
        tr("Objects the collector found but could not free (they end up in gc.garbage)"));
    pauseTotal_ = addItem(tr("Total pause"), QStringLiteral("summaryPauseTotal"),
        tr("Time spent in collections, and its share of the recorded time"));
    pauseMax_ = addItem(tr("Longest pause"), QStringLiteral("summaryPauseMax"), tr("The longest single collection"));
    samples_ = addItem(tr("Samples"), QStringLiteral("summarySamples"), tr("Telemetry samples and censuses"));
    snapshots_ = addItem(tr("Snapshots"), QStringLiteral("summarySnapshots"), tr("Heap snapshots of this session"));
    grid->setColumnStretch(column_, 1);
    clear();
}

QLabel* SummaryStrip::addItem(const QString& caption, const QString& objectName, const QString& toolTip)
{
    auto* grid = static_cast<QGridLayout*>(layout());
    auto* captionLabel = new QLabel(caption, this);
    captionLabel->setForegroundRole(QPalette::PlaceholderText);
    QFont small = captionLabel->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    captionLabel->setFont(small);
    auto* value = new QLabel(this);
    value->setObjectName(objectName);
    QFont bold = value->font();
    bold.setBold(true);
    value->setFont(bold);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    captionLabel->setObjectName(objectName + QStringLiteral("Caption"));
    captionLabel->setToolTip(toolTip);
    value->setToolTip(toolTip);
    grid->addWidget(captionLabel, 0, column_);
    grid->addWidget(value, 1, column_);
    grid->setColumnMinimumWidth(column_, fontMetrics().averageCharWidth() * 10);
    ++column_;
    return value;
}

void SummaryStrip::clear()
{
    for (QLabel* l :
        { status_, duration_, collections_, collected_, uncollectable_, pauseTotal_, pauseMax_, samples_, snapshots_ })
        l->setText(QStringLiteral("–"));
}

void SummaryStrip::showSeries(const DashboardSeries& series, bool live)
{
    if (!series.session()) {
        clear();
        return;
    }
    const auto& s = *series.session();
    const auto& t = series.totals();
    QString status;
    if (live && !s.endedNs)
        status = tr("● recording");
    else if (s.complete)
        status = tr("complete");
    else
        status = tr("incomplete");
    status_->setText(status);
    status_->setToolTip(s.endReason.empty() ? tr("No end was recorded: the profiler stopped without ending the session")
                                            : QString::fromStdString(s.endReason));
    const double duration = series.duration();
    duration_->setText(display::elapsed(duration));
    collections_->setText(
        QStringLiteral("%1 / %2 / %3")
            .arg(display::count(t.collections[0]), display::count(t.collections[1]), display::count(t.collections[2])));
    collected_->setText(display::count(t.collected));
    uncollectable_->setText(display::count(t.uncollectable));
    pauseTotal_->setText(duration > 0 ? QStringLiteral("%1 (%2)").arg(
                             display::milliseconds(t.pauseTotalMs), display::percent(t.pauseTotalMs / 1000 / duration))
                                      : display::milliseconds(t.pauseTotalMs));
    pauseMax_->setText(t.pythonTimed > 0 ? tr("%1 (CPython: %2)")
                                               .arg(display::milliseconds(t.pauseMaxMs),
                                                   display::milliseconds(t.pythonPauseMaxMs))
                                         : display::milliseconds(t.pauseMaxMs));
    const bool incremental = s.gcModel == "incremental";
    if (collectionsCaption_)
        collectionsCaption_->setText(incremental ? tr("Collections young / increment / full")
                                                 : tr("Collections gen 0 / 1 / 2"));
    samples_->setText(tr("%1 · %2 censuses").arg(display::count(t.samples), display::count(t.censuses)));
    snapshots_->setText(display::count(series.snapshots()));
}

QString SummaryStrip::value(const QString& objectName) const
{
    if (auto* label = findChild<QLabel*>(objectName))
        return label->text();
    return {};
}

} // namespace gcscope::ui
