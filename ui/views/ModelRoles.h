// Item data roles the views' models share beyond Qt's.
#pragma once

#include <Qt>

namespace gcscope::ui {

enum ModelRole {
    SortRole = Qt::UserRole + 1, // the raw number (or name) a column sorts by
    SeriesRole, // QList<qreal>: a row's values over time, for sparklines
    ObjectIdRole, // analysis::ObjectId of the row's object (quint32)
    AddressRole, // the row's object address (quint64)
    TypeNameRole, // the row's type name (QString)
    HighlightRole, // bool: on the retention path the view highlights
};

} // namespace gcscope::ui
