#include "views/HighlightDelegate.h"

#include "views/ModelRoles.h"

#include <QPainter>

namespace gcscope::ui {

void HighlightDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (index.data(HighlightRole).toBool() && !(option.state & QStyle::State_Selected)) {
        QColor wash = option.palette.color(QPalette::Highlight);
        wash.setAlphaF(0.22f);
        painter->fillRect(option.rect, wash);
    }
    QStyledItemDelegate::paint(painter, option, index);
}

} // namespace gcscope::ui
