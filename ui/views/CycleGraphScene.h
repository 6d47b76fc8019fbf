// A drawing of one reference cycle: its members as boxes (type, and label or address) on a circle,
// the references between them as arrows labelled with their edge labels (attribute, key, [i]).
// Components larger than kMaxNodes are drawn in part: the members reached first from one member
// inside the component, with a note saying how many are left out.
#pragma once

#include "analysis/Cycles.h"

#include <QGraphicsScene>

#include <memory>

namespace gcscope::ui {

struct SnapshotAnalysis;

class CycleGraphScene : public QGraphicsScene {
    Q_OBJECT
public:
    static constexpr int kMaxNodes = 60;
    static constexpr int kMaxLabelledEdges = 200; // beyond this the labels would hide the drawing

    explicit CycleGraphScene(QObject* parent = nullptr);

    // Draws the cycle with the widget's palette and font; nullptr clears the scene.
    void showCycle(std::shared_ptr<const SnapshotAnalysis> analysis, const analysis::Cycle* cycle,
        const QPalette& palette, const QFont& font);

    int nodeCount() const { return nodeCount_; }
    int edgeCount() const { return edgeCount_; }
    int memberCount() const { return memberCount_; }
    const QStringList& edgeLabels() const { return edgeLabels_; } // as drawn, for tests
    // The object a scene item stands for (its node or the node's text), or kNoObject.
    static analysis::ObjectId objectOf(const QGraphicsItem* item);

private:
    std::shared_ptr<const SnapshotAnalysis> analysis_;
    int nodeCount_ = 0;
    int edgeCount_ = 0;
    int memberCount_ = 0;
    QStringList edgeLabels_;
};

} // namespace gcscope::ui
