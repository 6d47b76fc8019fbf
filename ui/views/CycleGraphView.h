// Shows a CycleGraphScene: fitted to the widget until the user zooms (Ctrl+wheel, Ctrl+plus/minus,
// Ctrl+0 to fit again), dragged to pan, double-click on a box to inspect that object.
#pragma once

#include "analysis/HeapGraph.h"

#include <QGraphicsView>

namespace gcscope::ui {

class CycleGraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit CycleGraphView(QWidget* parent = nullptr);

    void fit(); // the whole drawing in view; zoom follows the widget's size again

Q_SIGNALS:
    void objectActivated(analysis::ObjectId object);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    void zoom(double factor);

    bool fitted_ = true;
};

} // namespace gcscope::ui
