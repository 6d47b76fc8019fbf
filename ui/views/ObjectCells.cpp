#include "views/ObjectCells.h"

#include "views/Formatting.h"
#include "views/ModelRoles.h"
#include "views/SnapshotAnalysis.h"

#include <QCoreApplication>
#include <QStringList>

#include <limits>

namespace gcscope::ui {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("gcscope::ui::ObjectCells", text);
}

} // namespace

QString objectHeaderText(ObjectField field)
{
    switch (field) {
    case ObjectField::Type:
        return tr("Type");
    case ObjectField::Address:
        return tr("Address");
    case ObjectField::Label:
        return tr("Label");
    case ObjectField::Shallow:
        return tr("Shallow");
    case ObjectField::Retained:
        return tr("Retained");
    case ObjectField::Distance:
        return tr("Distance");
    case ObjectField::Refcount:
        return tr("Refcount");
    }
    return {};
}

QVariant objectCell(const SnapshotAnalysis& a, analysis::ObjectId id, ObjectField field, int role)
{
    const auto& g = a.graph;
    switch (role) {
    case Qt::DisplayRole:
        switch (field) {
        case ObjectField::Type:
            return QString::fromStdString(g.typeName(id));
        case ObjectField::Address:
            return formatAddress(g.address[id]);
        case ObjectField::Label:
            return labelString(g, id);
        case ObjectField::Shallow:
            return formatBytes(g.size[id]);
        case ObjectField::Retained:
            return formatBytes(a.dominators.retained[id]);
        case ObjectField::Distance: {
            const auto d = a.paths->distance(id);
            return d == analysis::kNoDistance ? tr("garbage") : QString::number(d);
        }
        case ObjectField::Refcount:
            return g.isImmortal(id) ? tr("immortal") : QString::number(g.refcount[id]);
        }
        break;
    case SortRole:
        switch (field) {
        case ObjectField::Type:
        case ObjectField::Label:
            return objectCell(a, id, field, Qt::DisplayRole);
        case ObjectField::Address:
            return static_cast<qulonglong>(g.address[id]);
        case ObjectField::Shallow:
            return static_cast<qulonglong>(g.size[id]);
        case ObjectField::Retained:
            return static_cast<qulonglong>(a.dominators.retained[id]);
        case ObjectField::Distance:
            return static_cast<qulonglong>(a.paths->distance(id));
        case ObjectField::Refcount: // immortal objects last
            return g.isImmortal(id) ? std::numeric_limits<qlonglong>::max() : static_cast<qlonglong>(g.refcount[id]);
        }
        break;
    case Qt::TextAlignmentRole:
        if (field == ObjectField::Shallow || field == ObjectField::Retained || field == ObjectField::Distance
            || field == ObjectField::Refcount)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return describeObject(a, id) + QLatin1Char('\n') + objectStatus(a, id);
    case ObjectIdRole:
        return static_cast<quint32>(id);
    case AddressRole:
        return static_cast<qulonglong>(g.address[id]);
    case TypeNameRole:
        return QString::fromStdString(g.typeName(id));
    default:
        break;
    }
    return {};
}

QString describeObject(const SnapshotAnalysis& a, analysis::ObjectId id)
{
    const auto& g = a.graph;
    QString text = QString::fromStdString(g.typeName(id)) + QStringLiteral(" @ ") + formatAddress(g.address[id]);
    if (!g.labelText(id).empty())
        text += QStringLiteral(" “") + labelString(g, id) + QStringLiteral("”");
    return text;
}

QString labelString(const analysis::HeapGraph& graph, analysis::ObjectId id)
{
    const std::string_view label = graph.labelText(id);
    return QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
}

QString objectStatus(const SnapshotAnalysis& a, analysis::ObjectId id)
{
    QStringList parts;
    parts << tr("%1 shallow, %2 retained").arg(formatBytes(a.graph.size[id]), formatBytes(a.dominators.retained[id]));
    if (a.roots.isRefcountRoot(id))
        parts << tr("root: %1 reference(s) from outside the snapshot")
                     .arg(QString::number(analysis::externalReferences(a.graph, a.referrers, id)));
    if (a.graph.isImmortal(id))
        parts << tr("immortal: never freed, its refcount is a marker");
    if (a.roots.isFlaggedRoot(id))
        parts << tr("root: held by the interpreter (sys.modules, a frame…)");
    if (a.unreachable().contains(id))
        parts << tr("garbage: the next full collection frees it");
    else if (!a.dominators.isReachable(id))
        parts << tr("held only by garbage");
    else if (!a.roots.isRoot(id))
        parts << tr("%1 reference(s) from the nearest root").arg(QString::number(a.paths->distance(id)));
    if (a.graph.hasFinalizer(id))
        parts << tr("has __del__");
    if (!a.graph.isTracked(id))
        parts << tr("not tracked by the collector");
    return parts.join(QStringLiteral(" · "));
}

} // namespace gcscope::ui
