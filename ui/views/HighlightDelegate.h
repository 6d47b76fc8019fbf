// Tints the rows a model marks with HighlightRole (the retention path) with a light wash of the
// palette's highlight colour, so the path stands out in light and dark themes without hiding the
// selection.
#pragma once

#include <QStyledItemDelegate>

namespace gcscope::ui {

class HighlightDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace gcscope::ui
