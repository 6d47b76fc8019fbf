#include "views/CycleGraphView.h"

#include "views/CycleGraphScene.h"

#include <QMouseEvent>
#include <QShortcut>
#include <QWheelEvent>

namespace gcscope::ui {

CycleGraphView::CycleGraphView(QWidget* parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setToolTip(tr("Drag to pan, Ctrl+wheel to zoom, Ctrl+0 to fit; double-click an object to inspect it"));
    auto add = [this](QKeySequence keys, auto action) {
        auto* s = new QShortcut(keys, this, this, action);
        s->setContext(Qt::WidgetShortcut);
    };
    add(QKeySequence::ZoomIn, [this] { zoom(1.25); });
    add(QKeySequence::ZoomOut, [this] { zoom(0.8); });
    add(QKeySequence(Qt::CTRL | Qt::Key_0), [this] { fit(); });
}

void CycleGraphView::fit()
{
    fitted_ = true;
    if (!scene())
        return;
    const QRectF rect = scene()->sceneRect();
    fitInView(rect, Qt::KeepAspectRatio);
    // Small cycles are enlarged a little for reading, not blown up.
    constexpr double kMaxScale = 1.5;
    if (transform().m11() > kMaxScale)
        setTransform(QTransform::fromScale(kMaxScale, kMaxScale));
}

void CycleGraphView::zoom(double factor)
{
    fitted_ = false;
    scale(factor, factor);
}

void CycleGraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (fitted_)
        fit();
}

void CycleGraphView::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        zoom(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void CycleGraphView::mouseDoubleClickEvent(QMouseEvent* event)
{
    const auto object = CycleGraphScene::objectOf(itemAt(event->position().toPoint()));
    if (object != analysis::kNoObject) {
        Q_EMIT objectActivated(object);
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

} // namespace gcscope::ui
