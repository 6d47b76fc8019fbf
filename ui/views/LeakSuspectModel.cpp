#include "views/LeakSuspectModel.h"

#include "report/ReportText.h"
#include "views/Formatting.h"
#include "views/LeakText.h"
#include "views/ModelRoles.h"

namespace gcscope::ui {

namespace {

const QString kNone = QStringLiteral("—");

} // namespace

LeakSuspectModel::LeakSuspectModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void LeakSuspectModel::setReport(std::shared_ptr<const report::LeakReport> report)
{
    beginResetModel();
    report_ = std::move(report);
    endResetModel();
}

const report::Suspect* LeakSuspectModel::suspectAt(int row) const
{
    if (!report_ || row < 0 || static_cast<std::size_t>(row) >= report_->suspects.size())
        return nullptr;
    return &report_->suspects[static_cast<std::size_t>(row)];
}

int LeakSuspectModel::rowOfType(const QString& type) const
{
    if (!report_)
        return -1;
    const std::string wanted = type.toStdString();
    for (std::size_t i = 0; i < report_->suspects.size(); ++i)
        if (report_->suspects[i].type == wanted)
            return static_cast<int>(i);
    return -1;
}

int LeakSuspectModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !report_ ? 0 : static_cast<int>(report_->suspects.size());
}

int LeakSuspectModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LeakSuspectModel::display(const report::Suspect& s, int column) const
{
    switch (column) {
    case SuspectColumn:
        return leaks::suspectName(s);
    case EvidenceColumn:
        return leaks::evidenceText(s);
    case CountDeltaColumn:
        return formatSignedCount(s.countDelta);
    case CountRateColumn:
        return s.sizeOnly ? kNone : formatRate(s.countPerMinute, false);
    case SizeDeltaColumn:
        return formatSignedBytes(s.sizeDelta);
    case SizeRateColumn:
        return formatRate(s.sizePerMinute, true);
    case RetainedColumn:
        return report_->snapshotId ? formatBytes(s.retainedSize) : kNone;
    case OwnerColumn:
        return s.owner.empty() ? kNone : QString::fromStdString(s.owner);
    default:
        return {};
    }
}

QVariant LeakSuspectModel::sortKey(const report::Suspect& s, int row, int column) const
{
    switch (column) {
    case SuspectColumn:
        return leaks::suspectName(s);
    case EvidenceColumn:
        return leaks::evidenceText(s);
    case TrendColumn:
    case CountRateColumn:
        return s.countPerMinute;
    case CountDeltaColumn:
        return static_cast<qlonglong>(s.countDelta);
    case SizeDeltaColumn:
        return static_cast<qlonglong>(s.sizeDelta);
    case SizeRateColumn:
        return s.sizePerMinute;
    case RetainedColumn:
        return static_cast<qulonglong>(s.retainedSize);
    case OwnerColumn:
        return QString::fromStdString(s.owner);
    default:
        return row;
    }
}

QVariant LeakSuspectModel::toolTip(const report::Suspect& s, int column) const
{
    switch (column) {
    case SuspectColumn:
        return s.why.empty() ? leaks::suspectName(s) : QString::fromStdString(s.why);
    case EvidenceColumn:
        return leaks::evidenceToolTip(s);
    case TrendColumn: {
        const auto values = leaks::suspectSeries(*report_, s);
        if (values.size() < 2)
            return tr("Fewer than two points to draw");
        return tr("%1 points, %2 → %3")
            .arg(QString::number(values.size()), formatCount(static_cast<std::uint64_t>(values.front())),
                s.sizeOnly ? formatBytes(static_cast<std::uint64_t>(values.back()))
                           : formatCount(static_cast<std::uint64_t>(values.back())));
    }
    case SizeDeltaColumn:
        return QString::fromStdString(report::sizeAddedLabel(s));
    case CountRateColumn:
    case SizeRateColumn:
        return s.trend.points > 0 ? QString::fromStdString(report::trendSummary(s.trend)) : QString();
    case RetainedColumn:
        return report_->snapshotId
            ? tr("What freeing all %1 instances would free, in snapshot %2")
                  .arg(formatCount(s.instances), QString::number(*report_->snapshotId))
            : tr("No heap snapshot in this session: take one to see what the suspects retain and who holds them");
    case OwnerColumn:
        return QString::fromStdString(report::ownerSummary(s));
    default:
        return {};
    }
}

QVariant LeakSuspectModel::data(const QModelIndex& index, int role) const
{
    const auto* s = suspectAt(index.row());
    if (!s || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(*s, index.column());
    case SortRole:
        return sortKey(*s, index.row(), index.column());
    case Qt::ToolTipRole:
        return toolTip(*s, index.column());
    case SeriesRole:
        return QVariant::fromValue(leaks::suspectSeries(*report_, *s));
    case TypeNameRole:
        return QString::fromStdString(s->type);
    case AddressRole:
        if (report_->snapshotId && !s->retentionPath.empty() && s->retentionPath.back().address != 0)
            return QVariant::fromValue<quint64>(s->retentionPath.back().address);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() != SuspectColumn && index.column() != EvidenceColumn && index.column() != OwnerColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant LeakSuspectModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case SuspectColumn:
            return tr("Suspect");
        case EvidenceColumn:
            return tr("Evidence");
        case TrendColumn:
            return tr("Over time");
        case CountDeltaColumn:
            return tr("Δ Count");
        case CountRateColumn:
            return tr("Count/min");
        case SizeDeltaColumn:
            return tr("Δ Size");
        case SizeRateColumn:
            return tr("Size/min");
        case RetainedColumn:
            return tr("Retained");
        case OwnerColumn:
            return tr("Owner");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case EvidenceColumn:
            return tr("What named it: steady growth of the per-type counts (trend), objects kept between heap "
                      "snapshots (snapshots: strong with three or more, weak with two), or both");
        case TrendColumn:
            return tr("The suspect's count over the recording (its size when only the size grows)");
        case CountDeltaColumn:
        case SizeDeltaColumn:
            return tr("Last point minus first (sizes are shallow)");
        case CountRateColumn:
        case SizeRateColumn:
            return tr("Least-squares growth per minute");
        case RetainedColumn:
            return tr("What freeing all its instances would free, in the report's snapshot (dominator tree)");
        case OwnerColumn:
            return tr("The object that accumulates them: every path to them passes through it, or their most "
                      "common nearest container");
        default:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && section != SuspectColumn && section != EvidenceColumn
        && section != OwnerColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace gcscope::ui
