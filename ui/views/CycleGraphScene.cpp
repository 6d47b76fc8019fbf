#include "views/CycleGraphScene.h"

#include "views/ChartColours.h"
#include "views/Formatting.h"
#include "views/ObjectCells.h"
#include "views/SnapshotAnalysis.h"

#include <QFontMetrics>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPainterPath>
#include <QPen>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <numbers>
#include <unordered_map>

namespace gcscope::ui {
namespace {

constexpr int kObjectKey = 0; // QGraphicsItem::data key holding the ObjectId

// Up to `limit` members, in breadth-first order from the first member over references inside the
// component, so a partial drawing stays connected.
std::vector<analysis::ObjectId> pickMembers(const SnapshotAnalysis& a, const analysis::Cycle& cycle, std::size_t limit)
{
    const auto members = a.cycles().members(cycle);
    std::vector<analysis::ObjectId> picked;
    if (members.size() <= limit) {
        picked.assign(members.begin(), members.end());
        return picked;
    }
    std::unordered_map<analysis::ObjectId, bool> seen;
    std::deque<analysis::ObjectId> queue { members.front() };
    seen[members.front()] = true;
    while (!queue.empty() && picked.size() < limit) {
        const auto o = queue.front();
        queue.pop_front();
        picked.push_back(o);
        for (auto next : a.graph.referents(o))
            if (a.cycles().inCycle(next, cycle) && !seen[next]) {
                seen[next] = true;
                queue.push_back(next);
            }
    }
    return picked;
}

// Where the ray from the centre of `rect` towards `towards` leaves the rectangle.
QPointF boundaryPoint(const QRectF& rect, QPointF towards)
{
    const QPointF c = rect.center();
    const QPointF d = towards - c;
    if (std::abs(d.x()) < 1e-9 && std::abs(d.y()) < 1e-9)
        return c;
    const double tx = std::abs(d.x()) > 1e-9 ? rect.width() / 2 / std::abs(d.x()) : 1e9;
    const double ty = std::abs(d.y()) > 1e-9 ? rect.height() / 2 / std::abs(d.y()) : 1e9;
    return c + d * std::min(tx, ty);
}

QPolygonF arrowHead(QPointF tip, QPointF from, double size)
{
    const QPointF d = tip - from;
    const double length = std::hypot(d.x(), d.y());
    if (length < 1e-9)
        return {};
    const QPointF u = d / length, n(-u.y(), u.x());
    return QPolygonF({ tip, tip - u * size + n * size * 0.5, tip - u * size - n * size * 0.5 });
}

} // namespace

CycleGraphScene::CycleGraphScene(QObject* parent)
    : QGraphicsScene(parent)
{
}

analysis::ObjectId CycleGraphScene::objectOf(const QGraphicsItem* item)
{
    for (; item; item = item->parentItem())
        if (item->data(kObjectKey).isValid())
            return item->data(kObjectKey).toUInt();
    return analysis::kNoObject;
}

void CycleGraphScene::showCycle(std::shared_ptr<const SnapshotAnalysis> analysis, const analysis::Cycle* cycle,
    const QPalette& palette, const QFont& font)
{
    clear();
    analysis_ = std::move(analysis);
    nodeCount_ = edgeCount_ = memberCount_ = 0;
    edgeLabels_.clear();
    setBackgroundBrush(palette.brush(QPalette::Base));
    if (!analysis_ || !cycle)
        return;
    const auto& a = *analysis_;
    const auto& g = a.graph;
    memberCount_ = static_cast<int>(cycle->memberCount);
    const auto members = pickMembers(a, *cycle, kMaxNodes);
    nodeCount_ = static_cast<int>(members.size());

    // Boxes: two lines, type (bold) and label (or address), elided to a common width.
    QFont bold = font;
    bold.setBold(true);
    const QFontMetricsF fm(font);
    const QFontMetricsF boldMetrics(bold);
    const double maxText = fm.averageCharWidth() * 26;
    const double pad = fm.height() * 0.4;
    std::vector<QString> line1, line2;
    double width = fm.averageCharWidth() * 8;
    for (auto o : members) {
        line1.push_back(boldMetrics.elidedText(QString::fromStdString(g.typeName(o)), Qt::ElideMiddle, maxText));
        line2.push_back(fm.elidedText(
            g.labelText(o).empty() ? formatAddress(g.address[o]) : labelString(g, o), Qt::ElideRight, maxText));
        width = std::max({ width, boldMetrics.horizontalAdvance(line1.back()), fm.horizontalAdvance(line2.back()) });
    }
    const QSizeF box(width + 2 * pad, fm.height() * 2 + 2 * pad);

    // A circle with room for every box.
    const double n = static_cast<double>(members.size());
    // Neighbours on the circle are a box and a half apart (centre to centre), so arrows and their
    // labels have room between the boxes.
    const double radius = n <= 1 ? 0 : box.width() * 1.5 / (2 * std::sin(std::numbers::pi / n));
    std::unordered_map<analysis::ObjectId, QRectF> rectOf;
    QColor text = palette.color(QPalette::Text);
    QColor edgeColour = text;
    edgeColour.setAlphaF(0.6f);
    for (std::size_t i = 0; i < members.size(); ++i) {
        // Start at the top and go clockwise.
        const double angle = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(i) / std::max(1.0, n);
        const QPointF centre(radius * std::cos(angle), radius * std::sin(angle));
        const QRectF rect(centre - QPointF(box.width() / 2, box.height() / 2), box);
        rectOf[members[i]] = rect;
        const bool finalizer = g.hasFinalizer(members[i]);
        auto* node = addRect(rect, QPen(finalizer ? chartColour(1) : text, finalizer ? 2.5 : 1.2),
            palette.brush(QPalette::AlternateBase));
        node->setData(kObjectKey, static_cast<quint32>(members[i]));
        node->setZValue(2);
        node->setToolTip(QString::fromStdString(g.typeName(members[i])) + QStringLiteral(" @ ")
            + formatAddress(g.address[members[i]]) + (finalizer ? tr("\nhas __del__") : QString())
            + tr("\nDouble-click to inspect"));
        auto* t1 = new QGraphicsSimpleTextItem(line1[i], node);
        t1->setFont(bold);
        t1->setBrush(text);
        t1->setPos(rect.left() + pad, rect.top() + pad);
        auto* t2 = new QGraphicsSimpleTextItem(line2[i], node);
        t2->setFont(font);
        t2->setBrush(text);
        t2->setPos(rect.left() + pad, rect.top() + pad + fm.height());
    }

    // Edges between drawn members; parallel references in one direction share one arrow.
    std::map<std::pair<analysis::ObjectId, analysis::ObjectId>, QStringList> edges;
    for (auto from : members) {
        const auto targets = g.referents(from);
        const auto labels = g.referentLabels(from);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            if (!rectOf.count(targets[i]))
                continue;
            auto& names = edges[{ from, targets[i] }];
            const auto name = QString::fromStdString(g.edgeLabelText(labels[i]));
            if (!name.isEmpty() && !names.contains(name))
                names << name;
        }
    }
    edgeCount_ = static_cast<int>(edges.size());
    const bool labelled = edgeCount_ <= kMaxLabelledEdges;
    const double arrow = fm.height() * 0.55;
    QFont small = font;
    if (font.pointSizeF() > 0)
        small.setPointSizeF(font.pointSizeF() * 0.9);
    const QFontMetricsF smallMetrics(small);
    QColor labelBack = palette.color(QPalette::Base);
    labelBack.setAlphaF(0.85f);
    for (const auto& [ends, names] : edges) {
        const QRectF ra = rectOf[ends.first], rb = rectOf[ends.second];
        QPainterPath path;
        QPointF labelAt, tangentFrom, tip;
        QPointF outward; // the side the label goes to, off the curve
        if (ends.first == ends.second) {
            // A loop over the box's top right corner.
            const QPointF corner(ra.right() - box.width() * 0.2, ra.top());
            const double r = box.height() * 0.45;
            path.moveTo(corner.x() - r, ra.top());
            path.cubicTo(
                corner.x() - r, ra.top() - 2 * r, corner.x() + r, ra.top() - 2 * r, corner.x() + r * 0.2, ra.top());
            tip = QPointF(corner.x() + r * 0.2, ra.top());
            tangentFrom = QPointF(corner.x() + r, ra.top() - 2 * r);
            labelAt = QPointF(corner.x(), ra.top() - 1.6 * r);
            outward = QPointF(0, -1);
        } else {
            // Bend each arrow to its left: the two directions between a pair do not overlap.
            const QPointF ca = ra.center(), cb = rb.center();
            const QPointF d = cb - ca;
            const double length = std::hypot(d.x(), d.y());
            const QPointF normal(d.y() / length, -d.x() / length);
            const QPointF control = (ca + cb) / 2 + normal * std::min(length * 0.18, box.height() * 1.5);
            const QPointF start = boundaryPoint(ra, control);
            tip = boundaryPoint(rb, control);
            path.moveTo(start);
            path.quadTo(control, tip);
            tangentFrom = control;
            labelAt = (start + 2 * control + tip) / 4;
            outward = normal;
        }
        auto* line = addPath(path, QPen(edgeColour, 1.3));
        line->setZValue(1);
        auto* head = addPolygon(arrowHead(tip, tangentFrom, arrow), QPen(edgeColour, 1), QBrush(edgeColour));
        head->setZValue(1);
        const QString label = names.join(QStringLiteral(", "));
        edgeLabels_ << label;
        line->setToolTip(label);
        if (!labelled || label.isEmpty())
            continue;
        const QString shown = smallMetrics.elidedText(label, Qt::ElideRight, smallMetrics.averageCharWidth() * 20);
        auto* textItem = new QGraphicsSimpleTextItem(shown);
        textItem->setFont(small);
        textItem->setBrush(text);
        // The label's near edge touches the curve on its outer side, so the labels of the two
        // directions between a pair do not cover each other.
        const QRectF bounds = textItem->boundingRect();
        const double reach = std::abs(outward.x()) * bounds.width() / 2 + std::abs(outward.y()) * bounds.height() / 2;
        const QPointF centre = labelAt + outward * (reach + 2);
        const QRectF back(centre - QPointF(bounds.width() / 2 + 2, bounds.height() / 2), bounds.size() + QSizeF(4, 0));
        auto* background = addRect(back, Qt::NoPen, labelBack);
        background->setZValue(3);
        background->setToolTip(label);
        textItem->setParentItem(background);
        textItem->setPos(back.topLeft() + QPointF(2, 0));
    }
    const double margin = box.height();
    setSceneRect(itemsBoundingRect().adjusted(-margin, -margin, margin, margin));
}

} // namespace gcscope::ui
