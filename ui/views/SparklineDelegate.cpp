#include "views/SparklineDelegate.h"

#include "views/ModelRoles.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace gcscope::ui {

void SparklineDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    // Background and selection as the style draws them, without text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto values = index.data(SeriesRole).value<QList<qreal>>();
    if (values.size() < 2)
        return;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const qreal range = *hi - *lo;
    const int margin = std::max(2, option.fontMetrics.height() / 6);
    const QRectF area = QRectF(option.rect).adjusted(margin, margin, -margin, -margin);
    QPainterPath line;
    for (qsizetype i = 0; i < values.size(); ++i) {
        const qreal x = area.left() + area.width() * static_cast<qreal>(i) / static_cast<qreal>(values.size() - 1);
        // A flat series sits in the middle.
        const qreal y = range > 0 ? area.bottom() - area.height() * (values[i] - *lo) / range : area.center().y();
        if (i == 0)
            line.moveTo(x, y);
        else
            line.lineTo(x, y);
    }
    // A changing series in the accent colour; a flat one recedes, so the growing rows stand out.
    const bool selected = option.state & QStyle::State_Selected;
    const auto role = selected ? QPalette::HighlightedText
        : range > 0            ? QPalette::Highlight
                               : QPalette::PlaceholderText;
    const QColor colour = option.palette.color(QPalette::Active, role);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(colour, std::max<qreal>(1.0, option.fontMetrics.height() / 10.0)));
    painter->drawPath(line);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), option.fontMetrics.averageCharWidth() * 16));
    return size;
}

} // namespace gcscope::ui
