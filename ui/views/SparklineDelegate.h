// Paints a row's series (SeriesRole) as a small line, scaled to its own range, in the palette's
// highlight colour, so a leaking type's steady climb is visible at a glance.
#pragma once

#include <QStyledItemDelegate>

namespace gcscope::ui {

class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace gcscope::ui
